"""Decode untrusted image bytes (article thumbnails) without letting them hurt the server.

Thumbnails come from any web page, so they are hostile until proven
otherwise: the bytes are capped before Pillow sees them, only JPEG, PNG, GIF
and WebP are opened (no PSD/EPS/SVG/BMP parsers reachable from the internet),
the pixel count is checked from the header before any pixel is decoded, and
Pillow's decompression-bomb warning is an error. Anything that goes wrong
means "no thumbnail": the card shows its placeholder and the request never
fails.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

MAX_BYTES = 8 * 1024 * 1024  # same cap as the fetcher's image limit
MAX_PIXELS = 24_000_000  # a 6000×4000 photo; Pillow's default is 89 MP
FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)

# Process-wide on purpose: no code path in ScanShare needs images this large,
# and Pillow only reads the global. Above 2× this Pillow refuses outright.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def sniff(data: bytes) -> str | None:
    """The format the magic bytes announce, if it is one we accept."""
    for magic, fmt in _MAGIC:
        if data.startswith(magic):
            return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def open_safely(data: bytes | None, target: tuple[int, int] | None = None) -> Image.Image | None:
    """Decode ``data`` into an RGB image, or None when it is missing, unsupported or hostile.

    ``target`` (width, height) lets JPEGs decode at a reduced scale (DCT
    draft mode), which is both faster and smaller in memory than decoding a
    full camera photo only to shrink it.
    """
    if not data or len(data) > MAX_BYTES:
        return None
    fmt = sniff(data)
    if fmt is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _decode(data, fmt, target)
    except (Exception, Image.DecompressionBombWarning):
        # Pillow raises many types for corrupt input (OSError, SyntaxError,
        # ValueError, struct.error, …); all mean the same thing here.
        return None


def _decode(data: bytes, fmt: str, target: tuple[int, int] | None) -> Image.Image | None:
    with Image.open(io.BytesIO(data), formats=[fmt]) as im:
        width, height = im.size
        if width < 1 or height < 1 or width * height > MAX_PIXELS:
            return None
        if fmt == "JPEG" and target is not None:
            im.draft(None, _draft_size(im, target))
        im.load()
        return _to_rgb(ImageOps.exif_transpose(im))


def _draft_size(im: Image.Image, target: tuple[int, int]) -> tuple[int, int]:
    """The decode size that still covers ``target`` once EXIF rotation is applied."""
    orientation = im.getexif().get(0x0112, 1)
    return (target[1], target[0]) if orientation in (5, 6, 7, 8) else target


def _to_rgb(im: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Flatten any mode (CMYK, palette, alpha, 16-bit grey…) to RGB over ``background``."""
    if im.mode == "P" and "transparency" in im.info:
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        im = im.convert("RGBA")
        flat = Image.new("RGB", im.size, background)
        flat.paste(im, mask=im.getchannel("A"))
        return flat
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.point(lambda v: v / 256).convert("L")  # 16-bit PNG: keep the top byte
    return im.convert("RGB")
