"""The site logo drawn in the centre of ``?logo=1`` codes: checked once, stored normalised.

A logo comes from an admin's upload or from the ``SHARE_QR_LOGO`` file, so it
is treated like any other untrusted image (:mod:`share.cards.imagesafety`):
capped in bytes, sniffed by magic, PNG or JPEG only, pixel count checked from
the header, decompression bombs refused. SVG is refused outright: a vector
logo can carry scripts and external references, and no rasteriser we could
ship is small enough to trust with one, so the admin is asked for a PNG.

What is kept is not the upload but a normalised PNG (flattened on white,
at most :data:`MAX_SIDE` pixels a side) whose hash is the logo's
:attr:`Logo.version`, the part of every logo code's cache key and ETag
that makes a changed logo a new image.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image
from sqlalchemy import Engine

from share import clock
from share.cards import imagesafety
from share.storage import brand

MAX_BYTES = 1024 * 1024  # an upload; the normalised PNG is far smaller
MAX_SIDE = 512  # pixels kept a side: a pad is at most ~20 % of a 2048 px code
MIN_SIDE = 16


class LogoError(ValueError):
    """The image cannot be a logo; the message says what to upload instead.

    ``template`` and ``values`` let the dashboard translate the message
    (:mod:`share.web.admin.strings` holds each template in Chinese).
    """

    def __init__(self, template: str, **values: object):
        super().__init__(template.format(**values))
        self.template = template
        self.values = values


@dataclass(frozen=True, slots=True)
class Logo:
    """A checked logo: normalised PNG bytes and the hash that versions every code drawn with it."""

    png: bytes
    version: str

    @classmethod
    def from_png(cls, png: bytes) -> Logo:
        """A logo from bytes this module normalised earlier (e.g. read back from the database)."""
        return cls(png, hashlib.sha256(png).hexdigest()[:16])

    def image(self) -> Image.Image:
        """The logo as an RGB image (decoded once per version and process)."""
        return _decoded(self.png).copy()

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels of the normalised logo."""
        return _decoded(self.png).size

    def scaled(self, width: int, height: int) -> Image.Image:
        """The logo resized to ``width`` × ``height`` (kept for the sizes codes ask often)."""
        return _scaled(self.png, width, height)


def check(data: bytes | None) -> Logo:
    """Check an uploaded or configured image and normalise it; :class:`LogoError` says why not."""
    if not data:
        raise LogoError("The file is empty: choose a PNG or JPEG logo.")
    if len(data) > MAX_BYTES:
        raise LogoError(
            "The file is {size} KB; a logo may be at most {limit} KB. "
            "Export it smaller (512 × 512 pixels is plenty).",
            size=len(data) // 1024,
            limit=MAX_BYTES // 1024,
        )
    head = data[:512].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head:
        raise LogoError(
            "SVG logos are not accepted (they can carry scripts and links). "
            "Export the logo as a PNG of about 512 × 512 pixels and upload that."
        )
    if imagesafety.sniff(data) not in ("PNG", "JPEG"):
        raise LogoError("This is not a PNG or JPEG image: upload the logo as PNG or JPEG.")
    image = imagesafety.open_safely(data)
    if image is None:
        raise LogoError(
            "The image cannot be read safely (damaged, or over {mp} megapixels): "
            "export it again as PNG.",
            mp=imagesafety.MAX_PIXELS // 1_000_000,
        )
    if min(image.size) < MIN_SIDE:
        raise LogoError(
            "The logo is too small: use at least {side} × {side} pixels.", side=MIN_SIDE
        )
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return Logo.from_png(buf.getvalue())


def from_file(path: str | Path) -> Logo:
    """The logo in the file ``path`` (``SHARE_QR_LOGO``); ValueError says why it cannot be used."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read the logo file: {exc.strerror or exc}") from None
    return check(data)


def current(engine: Engine, configured: Logo | None) -> Logo | None:
    """The site logo now: an upload beats ``configured`` (the file setting); None when neither.

    Costs one small query (the stored version); the PNG is read once per
    version and process, so every instance sees a new upload at its next request.
    """
    stored = brand.version(engine)
    if stored is None:
        return configured
    logo = _seen.get(stored)
    if logo is None:
        found = brand.png(engine)
        if found is None:  # removed between the two reads
            return configured
        logo = Logo(found[1], found[0])
        if len(_seen) > 8:
            _seen.clear()
        _seen[logo.version] = logo
    return logo


def upload(engine: Engine, data: bytes | None) -> Logo:
    """Check an upload and make it the site logo; :class:`LogoError` when refused."""
    logo = check(data)
    brand.replace(engine, logo.png, logo.version, clock.stored_now())
    return logo


def remove(engine: Engine) -> bool:
    """Remove the uploaded logo (the file setting, if any, applies again); False if none."""
    return brand.remove(engine)


_seen: dict[str, Logo] = {}


@lru_cache(maxsize=64)
def _scaled(png: bytes, width: int, height: int) -> Image.Image:
    return _decoded(png).resize((width, height), Image.Resampling.LANCZOS)


@lru_cache(maxsize=8)
def _decoded(png: bytes) -> Image.Image:
    image = imagesafety.open_safely(png)
    if image is None:  # pragma: no cover - our own normalised PNG
        raise LogoError("stored logo is unreadable")
    return image
