"""Proof that a drawn code scans: decode it with zxing-cpp before anyone else sees it.

A logo or a frame changes what a scanner sees, so ScanShare never trusts the
geometry alone: the raster is decoded and must give back exactly the text
it encodes, and nothing else (a second code in the picture could open the
wrong page). The decoder runs strict (QR only, no rotation, no downscaling
tricks), so what passes here has margin to spare on a phone.
"""

from __future__ import annotations

import zxingcpp
from PIL import Image


def decodes_to(image: Image.Image, text: str) -> bool:
    """True when ``image`` holds one QR code and it reads exactly ``text``."""
    found = zxingcpp.read_barcodes(
        image.convert("L"),
        formats=zxingcpp.BarcodeFormat.QRCode,
        try_rotate=False,
        try_downscale=False,
    )
    return [r.text for r in found] == [text]
