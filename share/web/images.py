"""QR image routes: ``/qr/<code>.png|.svg|.pdf`` (plain, logo or framed) and the untracked ``/qr.png?url=``.

``.pdf`` and ``.svg?mm=`` are print files at an exact physical size
(:mod:`share.qr.printfile`); a PDF's placement defaults to ``print``.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from share import services
from share.links.service import short_url
from share.links.urls import normalise_url
from share.metadata import guess_lang
from share.options import OptionError
from share.qr import brand, printfile
from share.qr import code as qr
from share.qr import logo as site_logo
from share.qr.cache import ByteLRU

from ..db import get_engine
from .extensions import limiter, share_rate_limit
from .lookup import get_link_or_404
from .publicurl import public_url

bp = Blueprint("images", __name__)
_LONG_CACHE = "public, max-age=31536000, immutable"
# A logo code changes when the logo does, a framed one with the link's language:
# browsers and CDNs revalidate (ETag) after ten minutes, like cards.
_BRANDED_CACHE = "public, max-age=600"
_MIMETYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def _cache() -> ByteLRU:
    return services.current().qr_cache


def qr_response(
    text: str, opts: qr.QrOptions, kind: str, cache_control: str, mm: float | None = None
) -> Response:
    """Serve the QR of ``text``: 304 on a matching ETag, else cached or fresh bytes.

    ``mm`` makes it a print file (a PDF, or an SVG sized in millimetres).
    """
    tag = qr.etag(text, opts, kind if mm is None else f"{kind}@{mm:g}mm")
    headers = {"ETag": f'"{tag}"', "Cache-Control": cache_control}
    if request.if_none_match.contains(tag):
        return Response(status=304, headers=headers)
    cache = _cache()
    body = cache.get(tag)
    if body is None:  # OptionError (400) when the text cannot fit
        if mm is None:
            body = qr.render(text, opts, kind)
        else:
            body = printfile.render_plain(text, opts, kind, mm)
        cache.put(tag, body)
    return Response(body, mimetype=_MIMETYPES[kind], headers=headers)


@bp.get("/qr/<code>.<any(png, svg, pdf):kind>")
def link_qr(code: str, kind: str):
    """The QR of a link's short URL with placement ``src``; ``logo``/``frame`` brand it.

    ``.pdf`` (placement ``print`` unless ``src`` says) and ``.svg?mm=`` are
    print files ``mm`` wide; ``mm`` on a PNG is a 400, a raster has no size.
    """
    pdf = kind == "pdf"
    opts = qr.QrOptions.from_query(request.args, "print" if pdf else "qr")
    look = brand.BrandOptions.from_query(request.args)
    mm = printfile.PrintOptions.from_query(
        request.args, printfile.PDF_DEFAULT_MM if pdf else None
    ).mm
    if mm is not None and kind == "png":
        raise OptionError("mm", "`mm` applies to .svg and .pdf: a PNG has pixels, not millimetres.")
    link = get_link_or_404(code)
    text = short_url(public_url(), link.code, opts.src)
    if look.plain:
        response = qr_response(text, opts, kind, _LONG_CACHE, mm)
    else:
        response = branded_response(text, opts, look, link, kind, mm)
    if pdf:
        name = f"qr-{link.code}-{mm:g}mm.pdf"
        response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def branded_response(
    text: str, opts: qr.QrOptions, look: brand.BrandOptions, link, kind: str, mm=None
) -> Response:
    """A logo or framed code, decoded before it is cached; ``X-QR-Fallback`` says if it fell back.

    The ETag and cache key carry the logo's version, read from the database
    on each request, so a new logo is never answered from a stale cache; the
    answer may be kept ten minutes, not a year, for the same reason.
    """
    lang = look.language(link.lang or guess_lang(link.title, link.description))
    logo = site_logo.current(get_engine(), current_app.config.get("QR_LOGO")) if look.logo else None
    display = short_url(public_url(), link.code).split("://", 1)[-1]
    tag = brand.etag(text, opts, look, lang, logo, display, kind, mm)
    headers = {"ETag": f'"{tag}"', "Cache-Control": _BRANDED_CACHE}
    if request.if_none_match.contains(tag):
        return Response(status=304, headers=headers)
    cache = _cache()
    packed = cache.get(tag)
    if packed is None:
        result = brand.render(text, opts, look, lang, logo, display, kind, mm=mm)
        cache.put(tag, result.pack())
    else:
        result = brand.Branded.unpack(packed)
    if result.fallback:
        headers["X-QR-Fallback"] = result.fallback
    return Response(result.body, mimetype=_MIMETYPES[kind], headers=headers)


@bp.get("/qr.<any(png, svg):kind>")
@limiter.limit(share_rate_limit)
def url_qr(kind: str):
    """An untracked QR of an arbitrary http(s) URL; nothing is recorded."""
    url = normalise_url(request.args.get("url"))
    opts = qr.QrOptions.from_query(request.args, "qr")
    return qr_response(url, opts, kind, "public, max-age=86400")
