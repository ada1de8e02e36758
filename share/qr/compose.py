"""Where everything of a logo or framed code goes, then the same plan drawn as PNG or SVG.

:func:`plan` decides the geometry once, in output pixels: the module grid,
the logo's white pad (whole modules, centred, clear of every function
pattern), the frame and its caption lines. :func:`draw_png` and
:func:`write_svg` only follow the plan, so the raster that is decoded
before serving has exactly the geometry of the SVG that is served. A PDF
writer follows the same plan (:mod:`.printfile`).

The pad covers at most :data:`PAD_AREA` of the symbol (quiet zone excluded),
which ``ec=H`` (about 30 % of codewords recoverable) absorbs with room to
spare. In versions 7 and up an alignment pattern sits at the very centre,
so there is no room for a centred pad: :class:`NoRoom`.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw
from qrcode.util import pattern_position

from share.cards import fonts
from share.cards.linebreak import wrap

from .code import Matrix, svg_path_data
from .logo import Logo

PAD_AREA = 0.20  # the most of the symbol's modules a logo pad may cover
MIN_PAD = 5  # modules; a smaller pad leaves no room for a recognisable logo
FRAME_MIN_MARGIN = 2  # modules between the symbol and the frame line
FONT_STACK = (
    "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', "
    "'Microsoft YaHei', 'Helvetica Neue', Arial, sans-serif"
)


class NoRoom(Exception):
    """The symbol has no centred area clear of its function patterns for a logo pad."""


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text: centred on ``x`` with its baseline at ``y``."""

    text: str
    size: int
    x: int
    y: int


@dataclass
class Plan:
    """Every drawn thing in output pixels; both writers follow it exactly."""

    width: int
    height: int
    fg: tuple[int, int, int]
    bg: tuple[int, int, int]
    matrix: Matrix
    box: int  # pixels per module
    origin: tuple[int, int]  # top-left pixel of the matrix (quiet zone included)
    inner: tuple[int, int, int, int] | None = None  # the frame's light area, x0 y0 x1 y1
    pad: tuple[int, int, int] | None = None  # x, y, side of the logo's white pad
    logo: tuple[int, int, int, int] | None = None  # x, y, w, h of the logo in the pad
    logo_image: Image.Image | None = None
    lines: list[Line] = field(default_factory=list)
    lang: str = "zh"


@lru_cache(maxsize=64)
def function_modules(n: int) -> frozenset[tuple[int, int]]:
    """(row, col) of every finder, separator, timing, alignment, format and version module.

    ``n`` is the symbol's side in modules (quiet zone excluded).
    """
    version = (n - 17) // 4
    cells: set[tuple[int, int]] = set()

    def block(r0: int, c0: int, r1: int, c1: int) -> None:
        cells.update(
            (r, c) for r in range(max(r0, 0), min(r1, n)) for c in range(max(c0, 0), min(c1, n))
        )

    for r0, c0 in ((0, 0), (0, n - 9), (n - 9, 0)):  # finder, separator and format info
        block(r0, c0, r0 + 9, c0 + 9)
    block(6, 0, 7, n)  # timing
    block(0, 6, n, 7)
    centres = pattern_position(version)
    for r in centres:
        for c in centres:
            if (r, c) not in cells:
                block(r - 2, c - 2, r + 3, c + 3)
    if version >= 7:
        block(0, n - 11, 6, n - 8)
        block(n - 11, 0, n - 8, 6)
    return frozenset(cells)


@lru_cache(maxsize=256)
def pad_modules(n: int, area: float = PAD_AREA) -> tuple[int, int]:
    """``(start, side)`` in symbol modules of the largest centred pad within ``area``.

    Same parity as ``n`` so it is centred on whole modules; shrunk until it
    touches no function pattern. :class:`NoRoom` below :data:`MIN_PAD`.
    """
    side = int((area * n * n) ** 0.5)
    if (n - side) % 2:
        side -= 1
    taken = function_modules(n)
    while side >= MIN_PAD:
        start = (n - side) // 2
        span = range(start, start + side)
        if not any((r, c) in taken for r in span for c in span):
            return start, side
        side -= 2
    raise NoRoom


def plan(
    matrix: Matrix,
    margin: int,
    size: int,
    fg: tuple[int, int, int],
    bg: tuple[int, int, int],
    *,
    logo: Logo | None = None,
    caption: str | None = None,
    url_text: str = "",
    lang: str = "zh",
    pad_area: float = PAD_AREA,
) -> Plan:
    """Lay out a code ``size`` pixels wide, with a logo pad and/or a captioned frame.

    With a frame the whole image is ``size`` wide and taller than wide: a
    border in ``fg`` around the code and a band below it with the caption
    (at most two lines) and ``url_text`` in small type, both in ``bg``.
    """
    n = len(matrix)
    framed = caption is not None
    border = max(2, round(size / 64)) if framed else 0
    inner_side = size - 2 * border
    box = inner_side // n
    if box < 1:
        from share.options import OptionError

        raise OptionError(
            "size", f"`size` is too small for this code: use at least {n + 2 * border} pixels."
        )
    offset = border + (inner_side - n * box) // 2
    result = Plan(size, size, fg, bg, matrix, box, (offset, offset), lang=lang)
    if logo is not None:
        _place_logo(result, margin, logo, pad_area)
    if framed:
        _frame(result, border, inner_side, caption, url_text)
    return result


def _place_logo(p: Plan, margin: int, logo: Logo, area: float) -> None:
    start, side = pad_modules(len(p.matrix) - 2 * margin, area)
    x = p.origin[0] + (margin + start) * p.box
    y = p.origin[1] + (margin + start) * p.box
    px = side * p.box
    p.pad = (x, y, px)
    room = px - 2 * p.box  # one module of white around the logo
    width, height = logo.size
    scale = min(room / width, room / height)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    p.logo = (x + (px - w) // 2, y + (px - h) // 2, w, h)
    p.logo_image = logo.scaled(w, h)


def _frame(p: Plan, border: int, inner_side: int, caption: str, url_text: str) -> None:
    p.inner = (border, border, p.width - border, border + inner_side)
    text_width = p.width - 2 * border - 2 * max(4, round(p.width * 0.04))
    size = max(11, round(p.width * 0.07))
    lines, size = _caption_lines(caption, text_width, size, p.lang)
    y = border + inner_side + round(size * 0.5)
    centre = p.width // 2
    for text in lines:
        y += size
        p.lines.append(Line(text, size, centre, y))
        y += round(size * 0.25)
    small = max(8, round(p.width * 0.038))
    if url_text:
        width = fonts.font(small, p.lang).getlength(url_text)
        if width > text_width:
            small = max(6, int(small * text_width / width))
        y += round(small * 0.4) + small
        p.lines.append(Line(url_text, small, centre, y))
    p.height = y + max(border, round(small * 0.8))


def _caption_lines(caption: str, width: int, size: int, lang: str) -> tuple[list[str], int]:
    """At most two lines; a long caption is set up to a quarter smaller before it is cut with "…"."""
    for step in range(0, 6):
        face = fonts.font(max(9, round(size * (1 - step * 0.05))), lang)
        lines = wrap(caption, width, face.getlength)
        if len(lines) <= 2:
            return lines, face.size
    return wrap(caption, width, face.getlength, max_lines=2), face.size


def draw_png(p: Plan) -> Image.Image:
    """The plan as an RGB image (what is decoded, and encoded when PNG is asked)."""
    framed = p.inner is not None
    img = Image.new("RGB", (p.width, p.height), p.fg if framed else p.bg)
    draw = ImageDraw.Draw(img)
    if framed:
        draw.rectangle((p.inner[0], p.inner[1], p.inner[2] - 1, p.inner[3] - 1), fill=p.bg)
    n = len(p.matrix)
    dark = Image.frombytes("L", (n, n), bytes(255 if c else 0 for row in p.matrix for c in row))
    dark = dark.resize((n * p.box, n * p.box), Image.Resampling.NEAREST)
    x, y = p.origin
    img.paste(p.fg, (x, y, x + n * p.box, y + n * p.box), dark)
    if p.pad is not None:
        x, y, side = p.pad
        draw.rectangle((x, y, x + side - 1, y + side - 1), fill=p.bg)
        img.paste(p.logo_image, p.logo[:2])
    for line in p.lines:
        draw.text(
            (line.x, line.y), line.text, fill=p.bg, font=fonts.font(line.size, p.lang), anchor="ms"
        )
    return img


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def write_svg(p: Plan, out: BinaryIO, dimensions: tuple[str, str] | None = None) -> None:
    """The plan as SVG: modules as one path, the logo as an embedded PNG, text as ``<text>``.

    ``dimensions`` replaces the ``width``/``height`` attributes (e.g. in mm
    for print, :mod:`.printfile`); the viewBox stays in the plan's pixels.
    """
    fg, bg = _hex(p.fg), _hex(p.bg)
    framed = p.inner is not None
    width, height = dimensions or (p.width, p.height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width}" height="{height}" viewBox="0 0 {p.width} {p.height}">',
        f'<rect width="{p.width}" height="{p.height}" fill="{fg if framed else bg}"/>',
    ]
    if framed:
        x0, y0, x1, y1 = p.inner
        parts.append(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="{bg}"/>')
    ox, oy = p.origin
    parts.append(
        f'<path shape-rendering="crispEdges" fill="{fg}" '
        f'transform="translate({ox} {oy}) scale({p.box})" d="{svg_path_data(p.matrix)}"/>'
    )
    if p.pad is not None:
        x, y, side = p.pad
        lx, ly, lw, lh = p.logo
        buf = io.BytesIO()
        p.logo_image.save(buf, format="PNG")
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        parts.append(f'<rect x="{x}" y="{y}" width="{side}" height="{side}" fill="{bg}"/>')
        parts.append(
            f'<image x="{lx}" y="{ly}" width="{lw}" height="{lh}" '
            f'xlink:href="data:image/png;base64,{data}"/>'
        )
    for line in p.lines:
        parts.append(
            f'<text x="{line.x}" y="{line.y}" font-size="{line.size}" '
            f'font-family={quoteattr(FONT_STACK)} text-anchor="middle" '
            f'fill="{bg}">{escape(line.text)}</text>'
        )
    parts.append("</svg>")
    out.write("".join(parts).encode("utf-8"))
