"""``GET /s/<code>``: the scan redirect, served ahead of Flask's dispatch.

Every phone that scans a printed code comes through here, so the happy path
is a small WSGI function in front of the Flask app: :class:`Redirector`
appends the scan to the spool (one ``write()``), then a ``302``. Anything else
(unknown or disabled codes, other paths) goes on to Flask, with the outcome
in the environ, and the view below renders the friendly 404/410/503 pages.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import Blueprint, Flask, abort, request

from share import services
from share.links.codes import looks_like_code
from share.scans.redirect import Outcome, Redirector
from share.scans.spool import Spool, folder_for

bp = Blueprint("redirect", __name__)
_HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Robots-Tag", "noindex"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Length", "0"),
]
_STATUS = "scan.status"


#: The request headers a scan reads, and where WSGI keeps them.
_SCAN_HEADERS = (
    ("User-Agent", "HTTP_USER_AGENT"),
    ("Referer", "HTTP_REFERER"),
    ("X-Forwarded-For", "HTTP_X_FORWARDED_FOR"),
)


def _scan(redirector: Redirector, code: str, environ: dict) -> Outcome:
    query = environ.get("QUERY_STRING", "")
    src = parse_qs(query).get("src", [None])[0] if "src=" in query else None
    # a plain dict of the three headers a scan reads: werkzeug's EnvironHeaders
    # walks the whole environ for every header that is absent
    headers = {name: environ[key] for name, key in _SCAN_HEADERS if key in environ}
    return redirector.scan(
        code,
        method=environ.get("REQUEST_METHOD", "GET"),
        headers=headers,
        remote_addr=environ.get("REMOTE_ADDR"),
        src=src,
    )


def install(app: Flask) -> None:
    """Put the lean redirect in front of ``app.wsgi_app``."""
    spool = None
    if app.config["SCAN_SPOOL"]:
        folder = folder_for(app.instance_path, app.config["DATABASE_URL"])
        spool = Spool(folder, fsync_every=app.config["SPOOL_FSYNC"])
    redirector = Redirector(
        services.of(app).engine,
        app.config["SECRET_KEY"],
        proxy_count=app.config["PROXY_COUNT"],
        remember=app.config["REDIRECT_LOOKUP_CACHE"],
        tz=app.config["TIMEZONE"],
        spool=spool,
        utm_default=app.config["UTM"],
    )
    services.of(app).redirector = redirector
    inner = app.wsgi_app

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if path.startswith("/s/") and method in ("GET", "HEAD"):
            code = path[3:]
            if looks_like_code(code):
                outcome = _scan(redirector, code, environ)
                if outcome.status == 302:
                    start_response("302 Found", [("Location", outcome.location), *_HEADERS])
                    return [b""]
                environ[_STATUS] = outcome.status
        return inner(environ, start_response)

    app.wsgi_app = wsgi


@bp.route("/s/<code>", methods=["GET", "HEAD"])
def scan(code: str):
    """Explain why the lean path did not redirect (it handles every GET/HEAD)."""
    status = request.environ.get(_STATUS)
    if status == 410:
        abort(410, description="This short link has been switched off or deleted by its owner.")
    if status == 503:
        abort(503, description="The service cannot reach its database; try again shortly.")
    abort(404, description="This short link does not exist. Check the code and try again.")
