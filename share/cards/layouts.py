"""Card variants as data: layouts, output formats and captions.

Adding a layout, a format or a caption language is one entry in a table
here; the renderer in :mod:`share.cards.render` reads only these tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Box:
    """A rectangle of the card in pixels; ``x``, ``y`` is its top-left corner."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Text:
    """A text block: font size, line height and how many lines before "…"."""

    size: int
    line_height: int
    max_lines: int
    colour: tuple[int, int, int]
    bold: bool = False


@dataclass(frozen=True)
class Layout:
    """Where everything goes. Title and summary flow down the ``text`` column.

    The text column holds a stack: the meta row (site name, date, author), the
    title, the summary. Its height follows the text, and ``slack`` says where
    the room a short text leaves goes, so no empty band is left under a short
    summary: ``"header"`` grows the header image down to meet the stack (the
    stack ends at the column's bottom), ``"centre"`` centres the stack in the
    column (a fixed-size Open Graph card has nothing else to grow) after
    trying the larger ``title_sizes``.

    The QR needs four modules of blank space around it (its quiet zone): the
    boxes keep at least that much white between the QR and anything drawn.
    """

    size: tuple[int, int]
    thumb: Box  # the header image (or the wordmark header) at its base size
    site: Box  # the meta row: ``h`` is its height (coloured dot + text)
    text: Box  # the column the stack (meta row, title, summary) is set in
    title: Text
    summary: Text
    gap: int  # between title and summary
    meta_gap: int  # between the meta row and the title
    qr: Box
    caption: Box  # caption lines, vertically centred in the box
    caption_sizes: tuple[int, int]  # main line, second line
    caption_align: str  # "left" or "center"
    url: Box  # the short URL, under the QR (``h`` is its largest type size)
    url_align: str  # "right" or "center" within ``url``
    slack: str  # "header" or "centre": see above
    divider_y: int | None = None
    title_sizes: tuple[Text, ...] = ()  # larger title styles tried first when text is short
    header_max: int = 0  # the tallest the header may grow ("header" slack)


INK = (26, 26, 26)
GREY = (102, 102, 102)
MUTED = (150, 150, 150)
RULE = (232, 232, 232)

# Title sizes (px, line height) the wide card tries before its own, largest first.
BIG_TITLES = ((72, 90), (64, 82), (56, 74), (50, 68))

LAYOUTS: dict[str, Layout] = {
    # Portrait for WeChat chats and Moments: 1080 wide is what phones show at 1:1.
    "poster": Layout(
        size=(1080, 1620),
        thumb=Box(0, 0, 1080, 600),
        site=Box(72, 644, 936, 52),
        text=Box(72, 644, 936, 530),  # ends 18 px above the divider
        title=Text(54, 78, 3, INK, bold=True),
        summary=Text(34, 54, 4, GREY),
        gap=24,
        meta_gap=32,
        qr=Box(708, 1230, 300, 300),
        caption=Box(72, 1230, 600, 300),
        caption_sizes=(42, 30),
        caption_align="left",
        # under the QR, past its quiet zone (4 modules of at most 9 px)
        url=Box(72, 1574, 936, 28),
        url_align="right",
        slack="header",
        divider_y=1192,
        header_max=1080,
    ),
    # The Open Graph size: link previews on the web, Weibo, Slack…
    "wide": Layout(
        size=(1200, 630),
        thumb=Box(752, 40, 400, 205),
        site=Box(56, 48, 648, 44),
        text=Box(56, 48, 648, 534),
        title=Text(44, 60, 3, INK, bold=True),
        summary=Text(26, 40, 4, GREY),
        gap=16,
        meta_gap=24,
        # quiet zone: 4 modules of at most 7 px clear of the header and the caption
        qr=Box(832, 276, 240, 240),
        caption=Box(752, 538, 400, 32),
        caption_sizes=(26, 0),
        caption_align="center",
        url=Box(752, 578, 400, 20),
        url_align="center",
        slack="centre",
        # a short title is set larger, so the column is filled rather than left half empty
        title_sizes=tuple(Text(size, lh, 3, INK, bold=True) for size, lh in BIG_TITLES),
    ),
}


@dataclass(frozen=True)
class Format:
    """How Pillow encodes one card format (``save``: its keyword arguments) and its MIME type."""

    pillow: str
    mimetype: str
    save: dict[str, Any] = field(default_factory=dict)


# Encoder settings are deliberate; docs/decisions/0004-cards.md has the measurements
# (bench/bench_cards.py --encoders). Rule: take encoder work while it costs little
# next to the ~25 ms draw and saves real bytes; stop where the next step doubles
# the render for about a tenth fewer bytes. Cards are cached, so bytes are paid
# per download and CPU once per card, but the first viewer waits for the encode.
FORMATS: dict[str, Format] = {
    # zlib level 3: +14 ms over level 1 for -6 %; level 6 doubles it for -11 %,
    # level 9 / optimize are 15x slower for -4 % more.
    "png": Format("PNG", "image/png", {"compress_level": 3}),
    # 4:2:0 is fine: text and QR are luminance. Huffman optimisation: +3 ms, -5 %.
    "jpg": Format("JPEG", "image/jpeg", {"quality": 88, "subsampling": "4:2:0", "optimize": True}),
    # method 2: 33 ms; the default method 4 takes 76 ms for -4 %.
    "webp": Format("WEBP", "image/webp", {"quality": 85, "method": 2}),
}


@dataclass(frozen=True)
class Caption:
    """The words beside the QR saying how to open it; ``sub`` only where the layout sizes it."""

    main: str
    sub: str


CAPTIONS: dict[str, Caption] = {
    # 长按识别二维码: how a QR inside a WeChat chat is opened (long-press it).
    "zh": Caption("长按识别二维码", "扫码阅读全文"),
    "en": Caption("Scan with WeChat", "to read the full article"),
}

# Initials and placeholders take one of these by a hash of the host, so a
# site keeps its colour from card to card.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (7, 193, 96),  # WeChat green
    (25, 118, 210),
    (211, 47, 47),
    (245, 124, 0),
    (123, 31, 162),
    (0, 137, 123),
    (69, 90, 100),
    (194, 24, 91),
)
