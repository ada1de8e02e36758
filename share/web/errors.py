"""Errors in the caller's language: JSON for the API, a friendly page for people.

Every caller-fixable error is an :class:`~share.errors.InputError` (or a
subclass) and is answered here, by one handler: no view converts one error
into another. HTTP errors (404, 405, 413, 429…) keep their headers (``Allow``,
``Retry-After``) in both shapes. No input may produce a bare 500: unexpected
exceptions are logged and answered with the same shapes.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

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
_HTTP_MESSAGES = {
    405: "This address does not accept the {method} method; the Allow header lists those it does.",
    413: "The request body is too large; send at most {limit} bytes.",
    429: "Too many requests; wait a minute and try again.",
}


class ApiError(InputError):
    """An input error with its own HTTP status (401 unauthorized, 403, 404 not_found…)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(code, message)
        self.status, self.message = status, message


def wants_json() -> bool:
    """Error pages for people: JSON only under ``/api/`` or when asked for first."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def wants_html() -> bool:
    """Input errors: JSON for programs unless the caller is a browser asking for a page."""
    if request.path.startswith("/api/"):
        return False
    accept = request.accept_mimetypes
    return accept["text/html"] > accept["application/json"]


def json_error(status: int, code: str, message: str):
    """``({"error": {"code", "message"}}, status)``: the one shape of every JSON error."""
    return jsonify(error={"code": code, "message": message}), status


def page_lang() -> str:
    """``zh`` or ``en`` by Accept-Language (default en), for pages with no language chosen."""
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"], default="en")
    return "zh" if best.startswith("zh") else "en"


def _answer(status: int, code: str, message: str, html: bool, headers=()) -> Response:
    """The error as JSON or as the error page, with ``headers`` (minus their content type)."""
    if html:
        body = render_template("error.html", status=status, message=message, lang=page_lang())
        response = Response(body, status, mimetype="text/html")
    else:
        response, _ = json_error(status, code, message)
        response.status_code = status
    for name, value in headers:
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def _http_message(exc: HTTPException, status: int) -> str:
    template = _HTTP_MESSAGES.get(status)
    if template is None:
        return exc.description or exc.name
    limit = request.max_content_length or 0
    return template.format(method=request.method, limit=f"{limit:,}")


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = exc.get_headers(request.environ)
    code = _CODES.get(status, "error")
    return _answer(status, code, _http_message(exc, status), not wants_json(), headers)


def init_app(app: Flask) -> None:
    """Answer every error here in the caller's shape: no view converts one, none is a bare 500."""

    @app.errorhandler(InputError)
    def _input_error(exc: InputError):
        headers = []
        if exc.status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="scanshare"'))
        return _answer(exc.status, exc.code, str(exc), wants_html(), headers)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return _http_error(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _http_error(
            InternalServerError(
                "Something went wrong on our side; it has been logged. Try again later."
            )
        )
