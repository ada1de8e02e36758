"""The embeddable widget: ``/widget.js``, ``/embed``, the demo page and the open beacon.

``/widget.js`` is built from the readable ``static/widget.js`` on first use
(full-line comments and indentation dropped, non-ASCII escaped so a GBK host
page cannot garble it), then served from memory, gzipped when the client
accepts it, with an ETag so a day-old copy revalidates for free.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request

from share import services
from share.links.urls import normalise_url
from share.scans import opens

from ..db import get_engine
from .errors import ApiError
from .extensions import csrf, limiter, share_rate_limit
from .publicurl import public_url

bp = Blueprint("widget", __name__)

WIDGET_CACHE = "public, max-age=86400, stale-while-revalidate=604800"
# What the embed page itself may load: only this service, framed by anyone.
EMBED_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *"
)
DEMO_CSP = EMBED_CSP.replace("frame-ancestors *", "frame-src 'self'; frame-ancestors 'self'")
# /embed query parameters passed to the widget as data-* attributes.
EMBED_OPTIONS = (
    "title",
    "description",
    "image",
    "sites",
    "lang",
    "qr-size",
    "theme",
    "layout",
    "labels",
)


@dataclass(frozen=True)
class Asset:
    """The built script, plain and gzipped; the gzipped body is served as ``etag`` + ``-gz``."""

    body: bytes
    gzipped: bytes
    etag: str


def minify(source: str) -> bytes:
    """Drop full-line ``//`` comments, indentation and blank lines; escape non-ASCII.

    Deliberately this small: it never looks inside a line, so it cannot break
    a string or a regular expression (widget.js keeps comments on own lines).
    """
    lines = (line.strip() for line in source.splitlines())
    text = "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"
    return "".join(c if ord(c) < 128 else f"\\u{ord(c):04x}" for c in text).encode("ascii")


_built: dict[tuple[str, int, int, bool], Asset] = {}
#: Replaced in the built script by ``on`` when a WeChat account is configured, so the
#: widget asks for a JS-SDK signature only where one can be had (no request, no 404 elsewhere).
WECHAT_FLAG = "__SCANSHARE_WECHAT__"


def widget_asset() -> Asset:
    """The built script, rebuilt only when the source file or the WeChat switch changes."""
    path = Path(current_app.static_folder) / "widget.js"
    stat = path.stat()
    wechat = services.current().wechat is not None
    key = (str(path), stat.st_mtime_ns, stat.st_size, wechat)
    if key not in _built:
        source = path.read_text(encoding="utf-8").replace(WECHAT_FLAG, "on" if wechat else "off")
        body = minify(source)
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        _built.clear()
        _built[key] = Asset(body, packed, hashlib.sha256(body).hexdigest()[:20])
    return _built[key]


@bp.get("/widget.js")
def widget_js():
    """The script for any site: cross-origin, gzipped when accepted, revalidated by ETag."""
    asset = widget_asset()
    use_gzip = "gzip" in request.accept_encodings
    etag = asset.etag + ("-gz" if use_gzip else "")
    headers = {
        "Cache-Control": WIDGET_CACHE,
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
        "X-Content-Type-Options": "nosniff",
    }
    if request.if_none_match.contains(asset.etag) or request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
    else:
        response = Response(
            asset.gzipped if use_gzip else asset.body,
            headers=headers,
            content_type="application/javascript; charset=utf-8",
        )
        if use_gzip:
            response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    return response


@bp.get("/embed")
def embed():
    """The widget alone on a page, for hosts whose CSP forbids foreign scripts."""
    attrs = {"url": normalise_url(request.args.get("url"))}
    for name in EMBED_OPTIONS:
        value = request.args.get(name) or request.args.get(name.replace("-", "_"))
        if value:
            attrs[name] = value[:1000]
    response = Response(
        render_template("embed.html", attrs=attrs, lang="zh" if attrs.get("lang") == "zh" else "en")
    )
    response.headers["Content-Security-Policy"] = EMBED_CSP
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/")
def demo():
    """Two sample articles, each with the widget, its snippet and the iframe variant."""
    try:
        base = public_url()
    except ApiError:
        base = request.host_url.rstrip("/")
    response = Response(render_template("demo.html", base=base))
    response.headers["Content-Security-Policy"] = DEMO_CSP
    return response


@bp.post("/o/<code>")
@csrf.exempt
@limiter.limit(share_rate_limit)
def popup_opened(code: str):
    """The widget's beacon: one popup open of ``code``, counted per quarter hour and nothing else."""
    result = opens.record_open(get_engine(), code)
    if result is opens.OpenResult.UNKNOWN:
        raise ApiError(404, "not_found", f"No link has the code {code!r}.")
    return Response(
        status=204, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}
    )
