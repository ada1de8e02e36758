"""QR image routes: ``/qr/<code>.png|.svg`` and the untracked ``/qr.png?url=``."""

from __future__ import annotations

from flask import Blueprint, Response, request

from share import services
from share.links.service import short_url
from share.links.urls import normalise_url
from share.qr import code as qr
from share.qr.cache import ByteLRU

from .extensions import limiter, share_rate_limit
from .lookup import get_link_or_404
from .publicurl import public_url

bp = Blueprint("images", __name__)
_LONG_CACHE = "public, max-age=31536000, immutable"


def _cache() -> ByteLRU:
    return services.current().qr_cache


def qr_response(text: str, opts: qr.QrOptions, kind: str, cache_control: str) -> Response:
    """Serve the QR of ``text``: 304 on a matching ETag, else cached or fresh bytes."""
    tag = qr.etag(text, opts, kind)
    headers = {"ETag": f'"{tag}"', "Cache-Control": cache_control}
    if request.if_none_match.contains(tag):
        return Response(status=304, headers=headers)
    cache = _cache()
    body = cache.get(tag)
    if body is None:
        body = qr.render(text, opts, kind)  # OptionError (400) when the text cannot fit
        cache.put(tag, body)
    return Response(body, mimetype=qr.WRITERS[kind][0], headers=headers)


@bp.get("/qr/<code>.<any(png, svg):kind>")
def link_qr(code: str, kind: str):
    """The QR of a link's short URL with placement ``src``."""
    opts = qr.QrOptions.from_query(request.args, "qr")
    link = get_link_or_404(code)
    text = short_url(public_url(), link.code, opts.src)
    return qr_response(text, opts, kind, _LONG_CACHE)


@bp.get("/qr.<any(png, svg):kind>")
@limiter.limit(share_rate_limit)
def url_qr(kind: str):
    """An untracked QR of an arbitrary http(s) URL; nothing is recorded."""
    url = normalise_url(request.args.get("url"))
    opts = qr.QrOptions.from_query(request.args, "qr")
    return qr_response(url, opts, kind, "public, max-age=86400")
