"""Logo and framed QR codes: their options, and a render that proves it scans or falls back.

``?logo=1`` forces ``ec=H`` and puts the site logo on a white pad in the
centre; ``?frame=caption`` adds a frame with a caption and the short URL
under the code. Either way the result is decoded (:mod:`.verify`) before it
is served or cached. If it does not read back as exactly the short URL, the
caller gets the next simpler variant that does (the frame without the logo,
then the plain code) and a *fallback* reason for the ``X-QR-Fallback`` header:

- ``no-logo``: ``logo=1`` but no site logo is set (the rest is honoured);
- ``logo-no-room``: the symbol (version 7 and up) has an alignment pattern
  at its centre, so no pad fits there;
- ``logo-unreadable`` / ``frame-unreadable``: the drawn code did not decode.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from share.options import OptionError, choice_param

from . import code as qr
from . import compose, printfile
from .logo import Logo
from .verify import decodes_to

RENDERER_VERSION = "1"
CAPTION_MAX = 40
CAPTIONS = {"zh": "扫码阅读全文", "en": "Scan to read"}
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BrandOptions:
    """What ``logo``, ``frame``, ``caption`` and ``lang`` ask for; part of the ETag."""

    logo: bool = False
    frame: str | None = None  # "caption" or None
    caption: str | None = None  # None: the default for ``lang``
    lang: str | None = None  # None: the link's language

    @property
    def plain(self) -> bool:
        """True when nothing here changes the ordinary code."""
        return not self.logo and self.frame is None

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> BrandOptions:
        """Parse the query; :class:`OptionError` naming the bad parameter."""
        logo = choice_param(args, "logo", "0", ("0", "1")) == "1"
        frame = choice_param(args, "frame", "none", ("none", "caption"))
        lang = choice_param(args, "lang", "", ("zh", "en")) or None
        caption = args.get("caption") or None
        if caption is not None:
            if len(caption) > CAPTION_MAX:
                raise OptionError("caption", f"`caption` may be at most {CAPTION_MAX} characters.")
            if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in caption):
                raise OptionError("caption", "`caption` must not contain control characters.")
            from share.cards.fonts import drawable

            caption = drawable(caption)
            if not caption:
                raise OptionError(
                    "caption", "`caption` has no character the font can draw (emoji are left out)."
                )
        if caption is not None and frame == "none":
            raise OptionError("caption", "`caption` needs `frame=caption`.")
        return cls(logo=logo, frame=None if frame == "none" else frame, caption=caption, lang=lang)

    def language(self, link_lang: str | None) -> str:
        """``zh`` or ``en``: the option, else the link's language (``zh-CN`` → zh), else en."""
        lang = (self.lang or link_lang or "").split("-")[0].lower()
        return lang if lang in CAPTIONS else "en"


@dataclass(frozen=True, slots=True)
class Branded:
    """The bytes to serve and, when a simpler variant was served, why."""

    body: bytes
    fallback: str | None = None

    def pack(self) -> bytes:
        """One cache value: the reason's length, the reason, the body."""
        reason = (self.fallback or "").encode("ascii")
        return bytes([len(reason)]) + reason + self.body

    @classmethod
    def unpack(cls, value: bytes) -> Branded:
        """The inverse of :meth:`pack`."""
        n = value[0]
        return cls(value[1 + n :], value[1 : 1 + n].decode("ascii") or None)


def etag(
    text: str,
    opts: qr.QrOptions,
    look: BrandOptions,
    lang: str,
    logo: Logo | None,
    display: str,
    kind: str,
    mm: float | None = None,
) -> str:
    """A strong validator that changes with the logo's version, computed without rendering."""
    version = logo.version if (logo is not None and look.logo) else "-"
    key = f"brand{RENDERER_VERSION}|{qr.RENDERER_VERSION}|{kind}|{text}|{opts}|{look}|{lang}|{version}|{display}"
    if mm is not None:  # print files (PDF, SVG in mm); other keys stay as they were
        key += f"|{mm:g}mm"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def render(
    text: str,
    opts: qr.QrOptions,
    look: BrandOptions,
    lang: str,
    logo: Logo | None,
    display: str,
    kind: str,
    *,
    pad_area: float = compose.PAD_AREA,
    mm: float | None = None,
) -> Branded:
    """Draw, decode, and serve the first variant that reads back as ``text``.

    ``display`` is the short URL as printed under a framed code. ``pad_area``
    is the pad's share of the symbol (tests raise it to force a fallback).
    ``mm`` makes a print file (``pdf``, or ``svg`` sized in millimetres): the
    layout is drawn at :func:`printfile.exact_size` so the decoded raster and
    the printed page share one geometry.
    :class:`OptionError` when the text cannot fit at all.
    """
    want_logo = look.logo and logo is not None
    fallback = "no-logo" if look.logo and logo is None else None
    caption = None
    if look.frame is not None:
        caption = look.caption or CAPTIONS[lang]
    margin = max(opts.margin, compose.FRAME_MIN_MARGIN) if caption is not None else opts.margin
    ec = "H" if look.logo else opts.ec
    matrix = qr.make_matrix(text, ec, margin)
    size = opts.size
    if mm is not None:
        size = printfile.exact_size(len(matrix), caption is not None, opts.size)
    attempts = []
    if want_logo:
        attempts.append((True, caption, "logo-unreadable"))
    if caption is not None:
        attempts.append((False, caption, "frame-unreadable"))
    for with_logo, cap, failure in attempts:
        try:
            plan = compose.plan(
                matrix,
                margin,
                size,
                opts.fg,
                opts.bg,
                logo=logo if with_logo else None,
                caption=cap,
                url_text=display,
                lang=lang,
                pad_area=pad_area,
            )
        except compose.NoRoom:
            fallback = "logo-no-room"
            continue
        image = compose.draw_png(plan)
        if decodes_to(image, text):
            return Branded(_encode(plan, image, kind, mm, logo if with_logo else None), fallback)
        log.warning(
            "QR %s for %s (%s, size %d): serving a simpler code", failure, text, kind, opts.size
        )
        fallback = failure
    if mm is not None:
        return Branded(printfile.render_plain(text, opts, kind, mm), fallback)
    return Branded(qr.render(text, opts, kind), fallback)


def _encode(plan: compose.Plan, image, kind: str, mm: float | None, logo: Logo | None) -> bytes:
    buf = io.BytesIO()
    if kind == "pdf":
        printfile.write_pdf(plan, buf, mm, logo)
    elif kind == "svg":
        compose.write_svg(plan, buf, None if mm is None else printfile.svg_dimensions(plan, mm))
    else:
        image.save(buf, format="PNG", optimize=False, compress_level=3)
    return buf.getvalue()
