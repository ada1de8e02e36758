"""Errors in the caller's language: JSON for the API, a friendly page for people.

No input may produce a bare 500: unexpected exceptions are logged and answered
with the same shapes.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from ..errors import InputError

log = logging.getLogger("share.errors")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    410: "gone",
    413: "too_large",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """Raised by API views: answered as ``{"error": {"code", "message"}}``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def json_error(status: int, code: str, message: str):
    return jsonify(error={"code": code, "message": message}), status


def page_lang() -> str:
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"], default="en")
    return "zh" if best.startswith("zh") else "en"


def _http_error(exc: HTTPException):
    status = exc.code or 500
    message = exc.description or exc.name
    if wants_json():
        return json_error(status, _CODES.get(status, "error"), message)
    html = render_template("error.html", status=status, message=message, lang=page_lang())
    response = exc.get_response()
    response.set_data(html)
    response.mimetype = "text/html"
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        response, status = json_error(exc.status, exc.code, exc.message)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="scanshare"'
        return response, status

    @app.errorhandler(InputError)
    def _input_error(exc: InputError):
        if wants_json():
            return json_error(400, exc.code, str(exc))
        return _http_error(BadRequest(str(exc)))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if exc.code == 429:
            exc.description = "Too many requests; wait a minute and try again."
        return _http_error(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _http_error(
            InternalServerError(
                "Something went wrong on our side; it has been logged. Try again later."
            )
        )
