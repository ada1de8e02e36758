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


def decode_zbar(image: Image.Image) -> list[str]:
    """A second, independent decoder (zbar, through pyzbar), QR codes only."""
    from pyzbar import pyzbar

    found = pyzbar.decode(image.convert("L"), symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [r.data.decode("utf-8") for r in found]


def svg_raster(data: bytes) -> Image.Image:
    """An SVG drawn by a real renderer (cairosvg) at its own width and height, aspect kept."""
    import cairosvg

    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=data))).convert("RGB")
