"""The OpenAPI 3 description of every ``/api/v1`` route.

Kept as data beside the views; ``tests/test_openapi.py`` fails when a route
exists in the app but not here, or the other way round.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}
_KEY = [{"apiKey": []}]
_CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
_LINK = {
    "200": {
        "description": "The link",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Link"}}},
    }
}

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/share": {
        "get": {
            "summary": "The link for an article, registered on first use when its host is allowed",
            "description": "Public and CORS-open; rate-limited per client. This is what the widget calls.",
            "parameters": [
                {
                    "name": "url",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "format": "uri"},
                }
            ],
            "responses": {**_LINK, "400": _ERROR, "403": _ERROR, "429": _ERROR},
        }
    },
    "/api/v1/links": {
        "post": {
            "summary": "Register an article URL (or get the existing link for it)",
            "security": _KEY,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["url"],
                            "additionalProperties": False,
                            "properties": {
                                "url": {"type": "string", "format": "uri", "maxLength": 2048},
                                "title": {"type": "string", "maxLength": 300},
                                "description": {"type": "string", "maxLength": 1000},
                                "image": {"type": "string", "format": "uri"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "Created",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Link"}}
                    },
                },
                **_LINK,
                "400": _ERROR,
                "401": _ERROR,
            },
        },
        "get": {
            "summary": "Links, newest first",
            "security": _KEY,
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {
                    "description": "A page of links",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "links": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Link"},
                                    },
                                    "next_cursor": {"type": "string", "nullable": True},
                                },
                            }
                        }
                    },
                },
                "400": _ERROR,
                "401": _ERROR,
            },
        },
    },
    "/api/v1/links/{code}/refresh": {
        "post": {
            "summary": "Fetch the article's title, summary, image and language again",
            "description": "Bounded by FETCH_TIMEOUT; a failed fetch keeps earlier values. "
            "Overrides set by PATCH still win.",
            "security": _KEY,
            "parameters": [_CODE],
            "responses": {**_LINK, "401": _ERROR, "404": _ERROR},
        }
    },
    "/api/v1/links/{code}": {
        "get": {
            "summary": "One link",
            "security": _KEY,
            "parameters": [_CODE],
            "responses": {**_LINK, "401": _ERROR, "404": _ERROR},
        },
        "patch": {
            "summary": "Change title, description, image overrides or disable the link",
            "security": _KEY,
            "parameters": [_CODE],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "title": {"type": "string", "nullable": True},
                                "description": {"type": "string", "nullable": True},
                                "image": {"type": "string", "nullable": True},
                                "disabled": {"type": "boolean"},
                            },
                        }
                    }
                },
            },
            "responses": {**_LINK, "400": _ERROR, "401": _ERROR, "404": _ERROR},
        },
    },
    "/api/v1/links/{code}/stats": {
        "get": {
            "summary": "Scan statistics (human scans; bots apart)",
            "security": _KEY,
            "parameters": [
                _CODE,
                {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                {
                    "name": "bucket",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["day", "hour"]},
                },
            ],
            "responses": {
                "200": {
                    "description": "Statistics",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Stats"}}
                    },
                },
                "400": _ERROR,
                "401": _ERROR,
                "404": _ERROR,
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3"}}}
    },
}

_STRING_URL = {"type": "string", "format": "uri"}
COMPONENTS: dict[str, Any] = {
    "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
    "responses": {
        "Error": {
            "description": "Error",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "error": {
                                "type": "object",
                                "properties": {
                                    "code": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            }
                        },
                    }
                }
            },
        }
    },
    "schemas": {
        "Link": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "url": _STRING_URL,
                "short_url": _STRING_URL,
                "qr_png": _STRING_URL,
                "qr_svg": _STRING_URL,
                "card": _STRING_URL,
                "title": {"type": "string", "nullable": True},
                "description": {"type": "string", "nullable": True},
                "image": {"type": "string", "nullable": True},
                "site_name": {"type": "string", "nullable": True},
                "lang": {"type": "string", "nullable": True},
                "created_at": {"type": "string", "format": "date-time"},
                "disabled": {"type": "boolean"},
            },
        },
        "Stats": {
            "type": "object",
            "properties": {
                "total": {"type": "integer"},
                "unique": {"type": "integer"},
                "bots": {"type": "integer"},
                "opens": {"type": "integer"},
                "series": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "t": {"type": "string"},
                            "scans": {"type": "integer"},
                            "unique": {"type": "integer"},
                        },
                    },
                },
                "by_client": {"type": "object", "additionalProperties": {"type": "integer"}},
                "by_platform": {"type": "object", "additionalProperties": {"type": "integer"}},
                "by_placement": {"type": "object", "additionalProperties": {"type": "integer"}},
                "top_referrers": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "referrer": {"type": "string"},
                            "scans": {"type": "integer"},
                        },
                    },
                },
            },
        },
    },
}


def spec(server_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "ScanShare API", "version": "1"},
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": COMPONENTS,
    }
