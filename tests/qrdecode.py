"""Decode QR images with a real decoder (zxing-cpp), PNG or SVG bytes."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image


def decode_png(data: bytes) -> list[str]:
    return decode_image(Image.open(io.BytesIO(data)))


def decode_image(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def decode_svg(data: bytes, width: int = 600) -> list[str]:
    import cairosvg

    png = cairosvg.svg2png(bytestring=data, output_width=width, output_height=width)
    return decode_png(png)
