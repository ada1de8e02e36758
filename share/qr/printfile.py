"""Print files: a code at an exact physical size, as a one-page vector PDF or an SVG in mm.

``mm`` is the printed width of the QR symbol *including its quiet zone*
(``margin`` modules on each side): the distance a ruler measures from the
left edge of the light area a scanner needs to its right edge. Without a
frame that is the whole page; with ``frame=caption`` the frame's border is
added on both sides and the caption band below, in the proportions of
:func:`compose.plan`.

The layout is :mod:`.compose`'s plan, computed at a pixel size chosen by
:func:`exact_size` so the module grid fills its area with no leftover pixel;
the PDF then scales that plan by one factor (points per layout pixel), so
the raster decoded before serving has the geometry of the printed page.
Modules are one vector path, the logo an embedded image at 300 dpi of its
printed size where the stored logo has the pixels, the caption and short
URL real text in a subset of Noto Sans CJK (see :mod:`.printfont`).
"""

from __future__ import annotations

import io
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from share.options import OptionError

from . import code as qr
from . import compose, printfont
from .logo import Logo

MM_MIN, MM_MAX = 10, 1000
PDF_DEFAULT_MM = 40.0
PT_PER_MM = 72 / 25.4
LOGO_DPI = 300
# Not "now": the same code must give the same bytes, since its ETag is strong.
_FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_MM = re.compile(r"[0-9]{1,4}(\.[0-9]{1,2})?")


@dataclass(frozen=True, slots=True)
class PrintOptions:
    """The asked physical width in millimetres (None: not a print file); part of the ETag."""

    mm: float | None = None

    @classmethod
    def from_query(cls, args: Mapping[str, str], default: float | None = None) -> PrintOptions:
        """``mm`` as a decimal number of millimetres (up to two decimals) within 10–1000.

        :class:`OptionError` naming ``mm`` for anything else, so ``1e9``,
        ``abc`` or a NUL byte are a 400, never a float the renderer chokes on.
        """
        raw = args.get("mm")
        if raw is None or raw == "":
            return cls(default)
        if not _MM.fullmatch(raw):
            raise OptionError(
                "mm", f"`mm` must be a width in millimetres from {MM_MIN} to {MM_MAX}, e.g. 40."
            )
        value = float(raw)
        if not MM_MIN <= value <= MM_MAX:
            raise OptionError("mm", f"`mm` must be from {MM_MIN} to {MM_MAX} (got {raw}).")
        return cls(value)


def exact_size(n: int, framed: bool, size: int) -> int:
    """The largest pixel width ≤ ``size`` whose layout leaves no pixel beside the module grid.

    ``n`` is the matrix side in modules (quiet zone included). Then the
    symbol with its quiet zone is exactly ``n × box`` pixels, the quantity
    ``mm`` sets. Never below one pixel per module: a too small ``size`` is
    raised to the smallest exact width.
    """
    if not framed:
        return n * max(1, size // n)
    downwards = range(size, n + 3, -1)
    for width in itertools.chain(downwards, itertools.count(size + 1)):
        inner = width - 2 * max(2, round(width / 64))
        if inner >= n and inner % n == 0:
            return width
    raise AssertionError("unreachable")  # pragma: no cover - count() never ends


def scale(p: compose.Plan, mm: float) -> float:
    """Millimetres per layout pixel, so that the symbol and its quiet zone measure ``mm``."""
    return mm / (len(p.matrix) * p.box)


def svg_dimensions(p: compose.Plan, mm: float) -> tuple[str, str]:
    """The SVG ``width`` and ``height`` attributes in millimetres for a plan."""
    k = scale(p, mm)
    return _mm_attr(p.width * k), _mm_attr(p.height * k)


def plain_svg_dimensions(mm: float) -> tuple[str, str]:
    """``width``/``height`` of a plain SVG, whose viewBox is the matrix with its quiet zone."""
    return _mm_attr(mm), _mm_attr(mm)


def _mm_attr(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") + "mm"


def write_pdf(p: compose.Plan, out: BinaryIO, mm: float, logo: Logo | None = None) -> None:
    """The plan as a one-page PDF whose page is the plan scaled to ``mm`` (see module doc).

    ``logo`` is the source the plan's logo was scaled from; it is embedded
    at :data:`LOGO_DPI` of its printed size, or at its full resolution when
    that is less (a stored logo has at most 512 pixels a side).
    """
    from fpdf import FPDF

    k = scale(p, mm) * PT_PER_MM  # points per layout pixel
    pdf = FPDF(unit="pt", format=(p.width * k, p.height * k))
    pdf.set_creation_date(_FIXED_DATE)
    pdf.set_margin(0)
    pdf.set_auto_page_break(False)
    pdf.set_creator("ScanShare")
    pdf.add_page()
    framed = p.inner is not None
    pdf.set_fill_color(*(p.fg if framed else p.bg))
    pdf.rect(0, 0, p.width * k, p.height * k, style="F")
    if framed:
        x0, y0, x1, y1 = p.inner
        pdf.set_fill_color(*p.bg)
        pdf.rect(x0 * k, y0 * k, (x1 - x0) * k, (y1 - y0) * k, style="F")
    _modules(pdf, p, k)
    if p.pad is not None:
        x, y, side = p.pad
        pdf.set_fill_color(*p.bg)
        pdf.rect(x * k, y * k, side * k, side * k, style="F")
        lx, ly, lw, lh = p.logo
        pdf.image(_print_logo(p, logo, lw * k, lh * k), lx * k, ly * k, lw * k, lh * k)
    if not p.lines:
        out.write(bytes(pdf.output()))
        return
    with printfont.font_file(p.lang, "".join(line.text for line in p.lines)) as path:
        _text(pdf, p, k, path)
        out.write(bytes(pdf.output()))  # the font file is read (lazily) until here


def _modules(pdf, p: compose.Plan, k: float) -> None:
    """Every dark run as a rectangle of one path filled once (no hairline seams between them)."""
    ox, oy = p.origin
    step = p.box * k
    rects = []
    for row, cells in enumerate(p.matrix):
        col, n = 0, len(cells)
        while col < n:
            if cells[col]:
                start = col
                while col < n and cells[col]:
                    col += 1
                x = ox * k + start * step
                y = (oy * k + (row + 1) * step) * -1 + pdf.h  # PDF y grows upwards
                rects.append(f"{x:.4f} {y:.4f} {(col - start) * step:.4f} {step:.4f} re")
            else:
                col += 1
    r, g, b = (c / 255 for c in p.fg)
    pdf._out(f"q {r:.4f} {g:.4f} {b:.4f} rg {' '.join(rects)} f Q")


def _print_logo(p: compose.Plan, logo: Logo | None, w_pt: float, h_pt: float):
    """The logo at 300 dpi of its printed size, capped by the pixels the stored logo has."""
    if logo is None:
        return p.logo_image
    want = (math.ceil(w_pt / 72 * LOGO_DPI), math.ceil(h_pt / 72 * LOGO_DPI))
    have = logo.size
    if want[0] >= have[0] or want[1] >= have[1]:
        return logo.image()
    return logo.scaled(*want)


def _text(pdf, p: compose.Plan, k: float, path) -> None:
    """Caption and short URL as text, centred on the plan's x with the plan's baseline."""
    pdf.add_font("caption", fname=str(path))
    pdf.set_text_color(*p.bg)
    for line in p.lines:
        pdf.set_font("caption", size=line.size * k)
        width = pdf.get_string_width(line.text)
        pdf.text(line.x * k - width / 2, line.y * k, line.text)


def render_plain(text: str, opts: qr.QrOptions, kind: str, mm: float) -> bytes:
    """The plain code at ``mm`` as ``pdf``, or as ``svg`` with its width in millimetres."""
    matrix = qr.make_matrix(text, opts.ec, opts.margin)
    if kind == "svg":
        buf = io.BytesIO()
        qr.write_plain_svg(matrix, opts, buf, *plain_svg_dimensions(mm))
        return buf.getvalue()
    n = len(matrix)
    plan = compose.plan(matrix, opts.margin, exact_size(n, False, opts.size), opts.fg, opts.bg)
    buf = io.BytesIO()
    write_pdf(plan, buf, mm)
    return buf.getvalue()
