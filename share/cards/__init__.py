"""Share cards (posters): the picture an editor posts in a WeChat group or prints.

segno's shape: content and options in, :func:`render_card` writes to a path
or a stream in a format from the :data:`FORMATS` table. Layouts, formats and
captions are data in :mod:`share.cards.layouts`; drawing is in
:mod:`share.cards.render`. Plain Python: the web layer only parses the
request into :class:`CardOptions` and calls :func:`render_card`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from share.options import OptionError, choice_param

from .layouts import CAPTIONS, FORMATS, LAYOUTS
from .render import draw_card

__all__ = ["CAPTIONS", "FORMATS", "LAYOUTS", "CardContent", "CardOptions", "render_card"]

# Part of every cache key and ETag: bump it when the card's look changes.
# 2: real Bold titles, rebalanced last lines, the stack closes up, date/author,
#    short URL under the QR, wordmark header for articles without an image.
RENDERER_VERSION = "2"


@dataclass(frozen=True)
class CardContent:
    """What a card shows. ``thumbnail`` is raw, untrusted image bytes (or None)."""

    site_name: str
    title: str
    description: str | None
    thumbnail: bytes | None
    lang: str  # the article's language: "zh" or "en"
    qr_text: str  # the URL the QR encodes (the short link with src=card)
    host: str  # the article's host, for the initial when there is no site name
    short_url: str = ""  # printed under the QR for people who type it (no scheme, no src)
    published: date | None = None  # the article's day in the display zone, when the page says
    author: str | None = None  # the byline, when the page gives one


@dataclass(frozen=True)
class CardOptions:
    """How to draw a card, parsed from the query so the renderer never sees raw strings."""

    layout: str = "poster"
    fmt: str = "jpg"
    lang: str | None = None  # None: the article's own language

    @classmethod
    def from_query(cls, args: Mapping[str, str], fmt: str) -> CardOptions:
        """Parse query arguments; raise :class:`OptionError` naming the bad parameter."""
        if fmt not in FORMATS:
            raise OptionError("format", f"the card format must be one of {', '.join(FORMATS)}.")
        layout = choice_param(args, "layout", "poster", tuple(LAYOUTS))
        lang = args.get("lang") or None
        if lang is not None:
            lang = choice_param(args, "lang", "zh", tuple(CAPTIONS))
        return cls(layout=layout, fmt=fmt, lang=lang)

    def language(self, article_lang: str | None) -> str:
        """The caption language: the option, else the article's (``zh-CN`` → zh), else en."""
        lang = (self.lang or article_lang or "").split("-")[0].lower()
        return lang if lang in CAPTIONS else "en"


def render_card(content: CardContent, options: CardOptions, out: BinaryIO | str | Path) -> None:
    """Draw the card and write it, encoded per :data:`FORMATS`, to a path or a binary stream."""
    card = draw_card(content, LAYOUTS[options.layout], options.language(content.lang))
    fmt = FORMATS[options.fmt]
    card.save(out, format=fmt.pillow, **fmt.save)


def render_card_bytes(content: CardContent, options: CardOptions) -> bytes:
    """The encoded card as bytes (what the web layer caches)."""
    buf = io.BytesIO()
    render_card(content, options, buf)
    return buf.getvalue()
