"""The OpenAPI 3 description of every ``/api/v1`` route.

Kept as data beside the views and in step with ``docs/contract.md``:
``tests/test_project.py`` fails when a route exists in the app but not here,
or the other way round; ``tests/test_contract.py`` checks that every schema
lists its required fields and that the error answers are declared.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/responses/Error"}
_405 = {"$ref": "#/components/responses/MethodNotAllowed"}
_KEY = [{"apiKey": []}]
_CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "The link's short code, as in its `short_url`.",
    "schema": {"type": "string"},
}
_LINK = {
    "200": {
        "description": "The link",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Link"}}},
    }
}
_URL = {"type": "string", "format": "uri", "maxLength": 2048}
_DAY_RANGE = (
    "A day written YYYY-MM-DD, from 1970-01-01 to 9998-12-31, a whole day of `tz`. "
    "`from` must be on or before `to` (else 400 `invalid_range`)."
)
_RANGE_RULES = (
    "Both ends are included. Without `to`: today in `tz`; without `from`: 29 days before "
    "`to` (30 days in all). At most 3,660 days with `bucket=day` and 31 days with "
    "`bucket=hour` (else 400 `range_too_large`)."
)
_JSON_BODY_RULES = (
    "The body must be one JSON object in UTF-8 sent with `Content-Type: application/json`, "
    "at most 2 MB (else 413 `too_large`), nested at most 32 levels, with no `NaN`/`Infinity`, "
    "and no string holding a NUL character or an unpaired UTF-16 surrogate such as "
    "`\\ud800`; anything else is a 400 `invalid_json` and nothing is stored."
)


def _json_body(properties: dict, required: list[str] | None = None) -> dict:
    """A required JSON-object request body with exactly these ``properties``."""
    schema = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return {"required": True, "content": {"application/json": {"schema": schema}}}


#: The fields an API caller may set over what the article page says (POST and PATCH).
_OVERRIDES = {
    "title": {"type": "string", "nullable": True, "maxLength": 300},
    "description": {"type": "string", "nullable": True, "maxLength": 1000},
    "image": {**_URL, "nullable": True},
}

#: Campaign tags (POST and PATCH; share.links.tags has the rules).
_TAGS = {
    "type": "array",
    "maxItems": 10,
    "description": "Campaign tags: at most 10, each 1-32 characters once trimmed (letters of any "
    "script, digits, spaces, `-`, `_`, `.`; no commas), compared case-insensitively (NFKC + "
    "casefold) and shown as first written; duplicates collapse. PATCH replaces the set; `[]` "
    "clears it. Anything else is a 400 `invalid_tags` naming the tag.",
    "items": {"type": "string", "minLength": 1, "maxLength": 32},
}

#: A vanity code asked for at registration (share.links.codes has the rules).
_VANITY = {
    "type": "string",
    "nullable": True,
    "pattern": "^[A-Za-z0-9_-]{3,32}$",
    "description": "A code of your choosing instead of a random one: 3-32 of `A-Z a-z 0-9 _ -`. "
    "Malformed, or a word the service routes as a first path segment (`admin`, `api`, `s`, "
    "`qr`, `card`, `t`…, any letter case): 400 `invalid_code`. Held by another link, deleted "
    "ones included: 409 `code_taken`. The URL already registered under another code: 409 "
    "`url_registered`.",
}

#: A link's own UTM templates (POST and PATCH; share.links.utm has the rules). Keys are
#: optional even in answers, so they are named in the description, not as ``properties``.
_UTM = {
    "type": "object",
    "nullable": True,
    "maxProperties": 5,
    "additionalProperties": {"type": "string", "maxLength": 200},
    "description": "UTM tags added to the redirect for this link: keys among `source`, "
    "`medium`, `campaign`, `term`, `content`, each `utm_<key>` overriding "
    "`SHARE_UTM`'s; templates of at most 200 characters with the placeholders `{placement}`, "
    '`{client}`, `{tag}`, `{code}`; `""` leaves that parameter out; `null` clears the object. '
    "An unknown key or a bad template is a 400 `invalid_utm` naming the field.",
}


def _errors(*statuses: int) -> dict[str, Any]:
    """The error answers of an operation; every operation can answer 405."""
    return {**{str(s): _ERROR for s in statuses}, "405": _405}


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/share": {
        "get": {
            "summary": "The link for an article, registered on first use when its host is allowed",
            "description": "Public and CORS-open; rate-limited per client (`SHARE_RATE_LIMIT`). "
            "An unregistered article whose host is not in `SHARE_ALLOWED_HOSTS` is a 403 "
            "`host_not_allowed`. This is what the widget calls.",
            "parameters": [
                {
                    "name": "url",
                    "in": "query",
                    "required": True,
                    "description": "The article's absolute http(s) URL.",
                    "schema": _URL,
                }
            ],
            "responses": {**_LINK, **_errors(400, 403, 429)},
        }
    },
    "/api/v1/wechat/signature": {
        "get": {
            "summary": "What WeChat's JS-SDK `wx.config` needs on a page",
            "description": "Public and CORS-open; rate-limited per client (`SHARE_RATE_LIMIT`). "
            "`signature` is the SHA-1 hex of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` over "
            "the page URL without its fragment. 404 `wechat_not_configured` unless "
            "`SHARE_WECHAT_APP_ID` and `SHARE_WECHAT_APP_SECRET` are set; 403 "
            "`host_not_allowed` for a page outside `SHARE_ALLOWED_HOSTS`; 503 "
            "`wechat_unavailable` when WeChat's API refuses or does not answer.",
            "parameters": [
                {
                    "name": "url",
                    "in": "query",
                    "required": True,
                    "description": "The page's own address (`location.href`); the fragment is "
                    "dropped, nothing else is changed.",
                    "schema": _URL,
                }
            ],
            "responses": {
                "200": {
                    "description": "The signature",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/WeChatSignature"}
                        }
                    },
                },
                **_errors(400, 403, 404, 429, 503),
            },
        }
    },
    "/api/v1/links": {
        "post": {
            "summary": "Register an article URL (or get the existing link for it)",
            "description": "201 with a new link, or 200 with the one already registered for "
            "the same normalised URL (its overrides unchanged). " + _JSON_BODY_RULES,
            "security": _KEY,
            "requestBody": _json_body(
                {"url": _URL, **_OVERRIDES, "tags": _TAGS, "code": _VANITY, "utm": _UTM},
                required=["url"],
            ),
            "responses": {
                "201": {
                    "description": "Created",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Link"}}
                    },
                },
                **_LINK,
                **_errors(400, 401, 409, 413),
            },
        },
        "get": {
            "summary": "Links, newest first",
            "security": _KEY,
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "description": "Links per page.",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
                {
                    "name": "cursor",
                    "in": "query",
                    "description": "The `next_cursor` of the previous page.",
                    "schema": {"type": "string"},
                },
                {
                    "name": "tag",
                    "in": "query",
                    "description": "Only links carrying this campaign tag (compared "
                    "case-insensitively); a malformed tag is a 400 `invalid_tags`.",
                    "schema": {"type": "string"},
                },
            ],
            "responses": {
                "200": {
                    "description": "A page of links",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["links", "next_cursor"],
                                "properties": {
                                    "links": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Link"},
                                    },
                                    "next_cursor": {
                                        "type": "string",
                                        "nullable": True,
                                        "description": "null on the last page",
                                    },
                                },
                            }
                        }
                    },
                },
                **_errors(400, 401),
            },
        },
    },
    "/api/v1/links/{code}/refresh": {
        "post": {
            "summary": "Fetch the article's title, summary, image and language again",
            "description": "Bounded by FETCH_TIMEOUT; a failed fetch keeps earlier values. "
            "Overrides set by PATCH still win. No request body.",
            "security": _KEY,
            "parameters": [_CODE],
            "responses": {**_LINK, **_errors(400, 401, 404, 410)},
        }
    },
    "/api/v1/links/{code}": {
        "get": {
            "summary": "One link",
            "security": _KEY,
            "parameters": [_CODE],
            "responses": {**_LINK, **_errors(400, 401, 404, 410)},
        },
        "patch": {
            "summary": "Change title, description, image overrides or disable the link",
            "description": 'Every field is optional; only those sent change. `null` or `""` '
            "clears an override (the fetched value shows again). " + _JSON_BODY_RULES,
            "security": _KEY,
            "parameters": [_CODE],
            "requestBody": _json_body(
                {**_OVERRIDES, "disabled": {"type": "boolean"}, "tags": _TAGS, "utm": _UTM}
            ),
            "responses": {**_LINK, **_errors(400, 401, 404, 410, 413)},
        },
        "delete": {
            "summary": "Delete the link with its scans, opens and statistics",
            "description": "Removes every scan, widget open and statistic of the link at once "
            "and for good. Its code is never given to another link: `/s/<code>`, its QR and "
            "card answer 410, and the keyed routes here a 410 `gone`. Registering the same "
            "article URL again makes a new link with a new code. A link that is already "
            "deleted is a 410 `gone`; an unknown code a 404 `not_found`. No request body.",
            "security": _KEY,
            "parameters": [_CODE],
            "responses": {"204": {"description": "Deleted"}, **_errors(401, 404, 410)},
        },
    },
    "/api/v1/links/{code}/stats": {
        "get": {
            "summary": "Scan statistics (human scans; bots apart)",
            "description": _RANGE_RULES,
            "security": _KEY,
            "parameters": [
                _CODE,
                {
                    "name": "from",
                    "in": "query",
                    "description": "First day. " + _DAY_RANGE,
                    "schema": {"type": "string", "format": "date"},
                },
                {
                    "name": "to",
                    "in": "query",
                    "description": "Last day. " + _DAY_RANGE,
                    "schema": {"type": "string", "format": "date"},
                },
                {
                    "name": "bucket",
                    "in": "query",
                    "description": "One `series` entry per day or per hour; hours allow at "
                    "most 31 days.",
                    "schema": {"type": "string", "enum": ["day", "hour"], "default": "day"},
                },
                {
                    "name": "tz",
                    "in": "query",
                    "description": "An IANA time zone name such as `Asia/Shanghai`. `from`, "
                    "`to` and the `series` buckets are days and hours of this zone, and "
                    "hour labels carry its offset. Unknown names are a 400 `invalid_tz`.",
                    "schema": {"type": "string", "default": "UTC", "example": "Asia/Shanghai"},
                },
            ],
            "responses": {
                "200": {
                    "description": "Statistics",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Stats"}}
                    },
                },
                **_errors(400, 401, 404, 410),
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "description": "Public and CORS-open.",
            "responses": {"200": {"description": "OpenAPI 3"}, **_errors(400)},
        }
    },
}

_TAG = {
    "name": "tag",
    "in": "path",
    "required": True,
    "description": "A campaign tag, compared case-insensitively (URL-encoded).",
    "schema": {"type": "string"},
}
_TARGET = {
    "name": "target",
    "in": "path",
    "required": True,
    "description": "A share target: `weibo`, `qq`, `qzone`, `douban`, `x`, `facebook`, "
    "`linkedin`, `email` (GET, HEAD and POST) or `copy`, `native` (POST only). Others: 404.",
    "schema": {"type": "string"},
}
_ARTICLE = {
    "name": "url",
    "in": "query",
    "required": True,
    "description": "The article's absolute http(s) URL.",
    "schema": _URL,
}
_HOP = {
    "summary": "A share button's counted hop to the network's share page",
    "description": "Not under /api/v1: for readers' browsers. Also answers HEAD. Counts "
    "one share (people only; never HEAD or bots) and answers 302 to the target's share page "
    "carrying the tracked short link `/s/<code>?src=<target>`. Untracked (host not allowed, "
    "registration over `SHARE_RATE_LIMIT`, link disabled or deleted): 302 with the page URL "
    "itself, nothing counted, never a 429. `Cache-Control: no-store`.",
    "parameters": [
        _TARGET,
        _ARTICLE,
        *(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": f"The share page's {name} (absent: the link's own).",
                "schema": {"type": "string"},
            }
            for name in ("title", "description", "image")
        ),
    ],
    "responses": {
        "302": {"description": "To the network's share page (`Location`)"},
        **_errors(400, 404),
    },
}
PATHS["/t/{target}"] = {
    "get": _HOP,  # HEAD too: redirected the same, never counted
    "post": {
        "summary": "The widget's beacon: one share made in the page (copy, native share)",
        "description": "Public, CORS-open, no body, rate-limited per client like `/o/{code}`. "
        "Counts one share of the already registered live link of `url`; anything else is a "
        "204 counting nothing (never registers). Bots are not counted.",
        "parameters": [_TARGET, _ARTICLE],
        "responses": {"204": {"description": "Received"}, **_errors(400, 404, 429)},
    },
}

PATHS["/api/v1/tags"] = {
    "get": {
        "summary": "Campaign tags in use, most scanned first",
        "description": "One entry per tag carried by a live link: the tag as first written, "
        "its links and their human scans over the last 30 UTC days (today included), from "
        "the roll-ups.",
        "security": _KEY,
        "responses": {
            "200": {
                "description": "The tags",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["tag", "links", "scans_30d"],
                                "properties": {
                                    "tag": {"type": "string"},
                                    "links": {"type": "integer"},
                                    "scans_30d": {"type": "integer"},
                                },
                            },
                        }
                    }
                },
            },
            **_errors(400, 401),
        },
    }
}
PATHS["/api/v1/tags/{tag}/stats"] = {
    "get": {
        "summary": "Scan statistics of a campaign tag: its links' statistics summed",
        "description": "The parameters and fields of `/api/v1/links/{code}/stats`, summed over "
        "every live link carrying the tag (`unique` adds the links' visitors; `top_referrers` "
        "sums the links' own top lists), plus `tag` and `links`. " + _RANGE_RULES + " A tag no "
        "live link carries is a 404 `not_found`.",
        "security": _KEY,
        "parameters": [_TAG, *PATHS["/api/v1/links/{code}/stats"]["get"]["parameters"][1:]],
        "responses": {
            "200": {
                "description": "Statistics",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/TagStats"}}
                },
            },
            **_errors(400, 401, 404),
        },
    }
}

_STRING_URL = {"type": "string", "format": "uri"}
# The QR image routes are not under /api/v1, so they are described on the fields that link to them.
_QR_URL = {
    **_STRING_URL,
    "description": "The QR image (not under /api/v1; see docs/contract.md). Query: `size`, "
    "`margin`, `ec`, `fg`, `bg`, `src`; `logo=1` puts the site logo in the centre (ec forced "
    "to H), `frame=caption` adds a frame with `caption` (up to 40 characters; default by "
    "`lang`) and the short URL. Logo and framed codes are decoded before they are served; "
    "one that does not read back is served simpler, with `X-QR-Fallback` saying why "
    "(`no-logo`, `logo-no-room`, `logo-unreadable`, `frame-unreadable`). Print files: the "
    "same path with `.pdf` (a one-page vector PDF, placement `print` by default) and `.svg` "
    "take `mm` (10-1000, default 40 on PDF): the printed width of the symbol including its "
    "quiet zone; a frame adds its border and caption band.",
}
_COUNTS = {"type": "object", "additionalProperties": {"type": "integer"}}


def _all_required(properties: dict[str, Any], **schema: Any) -> dict[str, Any]:
    """An object schema whose every property is always present (``null`` when empty)."""
    return {"type": "object", "required": list(properties), "properties": properties, **schema}


COMPONENTS: dict[str, Any] = {
    "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
    "responses": {
        "Error": {
            "description": "Error: a 4xx status, a snake_case code and one sentence",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
        "MethodNotAllowed": {
            "description": "The method is not served here (`method_not_allowed`)",
            "headers": {
                "Allow": {
                    "description": "The methods this path accepts, comma separated.",
                    "schema": {"type": "string"},
                }
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        },
    },
    "schemas": {
        "Error": _all_required(
            {
                "error": _all_required(
                    {
                        "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                        "message": {"type": "string"},
                    }
                )
            }
        ),
        "WeChatSignature": _all_required(
            {
                "appId": {"type": "string", "description": "The official account's AppID"},
                "timestamp": {"type": "integer", "description": "Epoch seconds signed"},
                "nonceStr": {"type": "string", "description": "The random string signed"},
                "signature": {
                    "type": "string",
                    "pattern": "^[0-9a-f]{40}$",
                    "description": "SHA-1 hex of the four values, as WeChat documents it",
                },
            }
        ),
        "Link": _all_required(
            {
                "code": {"type": "string"},
                "url": _STRING_URL,
                "short_url": _STRING_URL,
                "qr_png": _QR_URL,
                "qr_svg": _QR_URL,
                "card": _STRING_URL,
                "title": {"type": "string", "nullable": True},
                "description": {"type": "string", "nullable": True},
                "image": {**_STRING_URL, "nullable": True},
                "site_name": {"type": "string", "nullable": True},
                "lang": {"type": "string", "nullable": True},
                "created_at": {"type": "string", "format": "date-time"},
                "disabled": {"type": "boolean"},
                "tags": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Campaign tags as written, sorted case-insensitively",
                },
                "utm": {**_UTM, "description": "The link's own UTM templates, or null"},
            }
        ),
        "Stats": _all_required(
            {
                "from": {"type": "string", "format": "date", "description": "First day"},
                "to": {"type": "string", "format": "date", "description": "Last day"},
                "bucket": {"type": "string", "enum": ["day", "hour"]},
                "tz": {"type": "string", "description": "The IANA zone of the days"},
                "total": {"type": "integer", "description": "Human scans"},
                "unique": {
                    "type": "integer",
                    "description": "Visitors, each counted in the bucket of their first scan "
                    "(the visitor hash changes every day of SHARE_TIMEZONE); the series' "
                    "unique values add up to it",
                },
                "bots": {"type": "integer", "description": "Bot and preview fetches"},
                "opens": {"type": "integer", "description": "Widget popup opens"},
                "shares": {
                    "type": "object",
                    "additionalProperties": {"type": "integer"},
                    "description": "Share-button clicks per share target (`weibo`, `copy`…), "
                    "only targets shared at least once, most first; the visits each brought "
                    "back are `by_placement`'s entry of the same name",
                },
                "series": {
                    "type": "array",
                    "items": _all_required(
                        {
                            "t": {
                                "type": "string",
                                "description": "`YYYY-MM-DD` for days; for hours ISO 8601 with "
                                "the zone's offset, e.g. `2026-03-08T03:00:00-04:00` "
                                "(`…Z` in UTC)",
                            },
                            "scans": {"type": "integer"},
                            "unique": {"type": "integer"},
                        }
                    ),
                },
                "by_client": _COUNTS,
                "by_platform": _COUNTS,
                "by_placement": _COUNTS,
                "top_referrers": {
                    "type": "array",
                    "items": _all_required(
                        {"referrer": {"type": "string"}, "scans": {"type": "integer"}}
                    ),
                },
            }
        ),
    },
}


_STATS = COMPONENTS["schemas"]["Stats"]
COMPONENTS["schemas"]["TagStats"] = _all_required(
    {
        "tag": {"type": "string", "description": "The tag as first written"},
        "links": {"type": "integer", "description": "Live links carrying it"},
        **_STATS["properties"],
    }
)


def spec(server_url: str) -> dict[str, Any]:
    """The OpenAPI 3 document, its server the public URL the caller reached us at."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "ScanShare API",
            "version": "1",
            "description": "The public contract is written out in docs/contract.md. Errors are "
            '`{"error": {"code": "<snake_case>", "message": "<one sentence>"}}` with a 4xx '
            "status.",
        },
        "servers": [{"url": server_url}],
        "paths": PATHS,
        "components": COMPONENTS,
    }
