"""QR codes: options parsed once, one matrix, PNG and SVG writers.

segno's shape: :func:`make_matrix` builds the module grid, :func:`save`
writes it in a ``kind`` from the writers table to a path or stream. Always a
full QR (never Micro QR). Pixels are whole modules: the image is the largest
whole-pixel module size that fits ``size``, centred on a canvas of exactly
``size`` pixels, so no module is a pixel wider than its neighbour.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import BinaryIO

import qrcode
from PIL import Image
from qrcode.exceptions import DataOverflowError

from share.options import OptionError, choice_param, colour_param, contrast_ratio, int_param
from share.scans.visitor import PLACEMENT_RE

RENDERER_VERSION = "1"
MIN_CONTRAST = 3.0
_EC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}

Matrix = list[list[bool]]


@dataclass(frozen=True, slots=True)
class QrOptions:
    """A QR's look and placement, parsed and checked once; every field is part of its ETag."""

    size: int = 300
    margin: int = 4
    ec: str = "M"
    fg: tuple[int, int, int] = (0, 0, 0)
    bg: tuple[int, int, int] = (255, 255, 255)
    src: str = "qr"

    @classmethod
    def from_query(cls, args: Mapping[str, str], default_src: str = "qr") -> QrOptions:
        """Parse and clamp query arguments; raise :class:`OptionError` naming the bad one."""
        fg = colour_param(args, "fg", (0, 0, 0))
        bg = colour_param(args, "bg", (255, 255, 255))
        if contrast_ratio(fg, bg) < MIN_CONTRAST:
            raise OptionError(
                "fg",
                f"`fg` and `bg` have too little contrast to scan "
                f"(need a ratio of {MIN_CONTRAST:g}:1 or more).",
            )
        if sum(fg) > sum(bg):
            raise OptionError(
                "fg",
                "`fg` must be darker than `bg`: many scanners only read "
                "dark modules on a light background.",
            )
        src = args.get("src") or default_src
        if not PLACEMENT_RE.fullmatch(src):
            raise OptionError("src", "`src` must be 1-32 characters of a-z, 0-9, _ and -.")
        return cls(
            size=int_param(args, "size", 300, 64, 2048),
            margin=int_param(args, "margin", 4, 0, 16),
            ec=choice_param(args, "ec", "M", ("L", "M", "Q", "H")),
            fg=fg,
            bg=bg,
            src=src,
        )


def make_matrix(text: str, ec: str = "M", margin: int = 4) -> Matrix:
    """The module grid of ``text``, quiet zone included."""
    code = qrcode.QRCode(version=None, error_correction=_EC[ec], border=margin)
    code.add_data(text.encode("utf-8"))
    try:
        code.make(fit=True)
    except (ValueError, DataOverflowError):  # past version 40 at this level
        raise OptionError(
            "url",
            f"The text is too long for a QR code at ec={ec}: use a lower `ec` "
            "or a shorter URL (at most about 2,300 characters at L).",
        ) from None
    return code.get_matrix()


def _module_px(matrix: Matrix, size: int) -> int:
    box = size // len(matrix)
    if box < 1:
        raise OptionError(
            "size",
            f"`size` is too small for this code: use at least "
            f"{len(matrix)} pixels or a lower `margin`/`ec`.",
        )
    return box


def _grid_image(matrix: Matrix, box: int) -> Image.Image:
    """A palette image (index 1 = dark) of the grid at ``box`` pixels per module."""
    n = len(matrix)
    data = bytes(1 if cell else 0 for row in matrix for cell in row)
    img = Image.frombytes("P", (n, n), data)
    return img.resize((n * box, n * box), Image.Resampling.NEAREST) if box > 1 else img


def qr_image(text: str, ec: str = "M", box: int = 10, margin: int = 4) -> Image.Image:
    """A greyscale QR image at ``box`` pixels per module (for cards)."""
    img = _grid_image(make_matrix(text, ec, margin), box)
    img.putpalette([255, 255, 255, 0, 0, 0])
    return img.convert("L")


def _write_png(matrix: Matrix, opts: QrOptions, out: BinaryIO) -> None:
    grid = _grid_image(matrix, _module_px(matrix, opts.size))
    canvas = Image.new("P", (opts.size, opts.size), 0)
    offset = (opts.size - grid.width) // 2
    canvas.paste(grid, (offset, offset))
    canvas.putpalette([*opts.bg, *opts.fg])
    canvas.save(out, format="PNG", bits=1, optimize=False, compress_level=6)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def svg_path_data(matrix: Matrix) -> str:
    """The dark modules as SVG path data in module units, one subpath per horizontal run."""
    n = len(matrix)
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return "".join(parts)


def _write_svg(matrix: Matrix, opts: QrOptions, out: BinaryIO) -> None:
    write_plain_svg(matrix, opts, out, str(opts.size), str(opts.size))


def write_plain_svg(
    matrix: Matrix, opts: QrOptions, out: BinaryIO, width: str, height: str
) -> None:
    """The plain code as SVG with these ``width``/``height`` attributes (pixels, or e.g. ``40mm``)."""
    n = len(matrix)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="{_hex(opts.bg)}"/>'
        f'<path fill="{_hex(opts.fg)}" d="{svg_path_data(matrix)}"/></svg>'
    )
    out.write(svg.encode("ascii"))


WRITERS: dict[str, tuple[str, Callable[[Matrix, QrOptions, BinaryIO], None]]] = {
    "png": ("image/png", _write_png),
    "svg": ("image/svg+xml", _write_svg),
}


def save(text: str, opts: QrOptions, out: BinaryIO, kind: str = "png") -> None:
    """Write the QR of ``text`` as ``kind`` (a key of :data:`WRITERS`) to ``out``."""
    WRITERS[kind][1](make_matrix(text, opts.ec, opts.margin), opts, out)


def render(text: str, opts: QrOptions, kind: str = "png") -> bytes:
    """The encoded QR as bytes, what the image routes cache.

    :class:`OptionError` when ``text`` does not fit at ``ec`` or in ``size`` pixels.
    """
    buf = io.BytesIO()
    save(text, opts, buf, kind)
    return buf.getvalue()


def etag(text: str, opts: QrOptions, kind: str) -> str:
    """A strong validator computed without rendering, so a 304 costs nothing."""
    key = f"{RENDERER_VERSION}|{kind}|{text}|{opts}".encode()
    return hashlib.sha256(key).hexdigest()[:32]
