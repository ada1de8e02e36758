"""Rendered cards kept as files (the instance folder's ``cards/``), shared by all workers.

A file's name holds everything that changes its bytes: link id, metadata
version, renderer version, layout, language, a hash of the QR text (the public
URL may differ per host) and the format. Editing or refreshing a link bumps
its metadata version, so the next request renders a new file and sweeps the
link's older ones: invalidation without a cache-wide flush.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def etag(body: bytes) -> str:
    """A strong validator from the bytes themselves, so it can never outlive them."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


class CardStore:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    @staticmethod
    def name(
        link_id: int,
        meta_version: int,
        renderer: str,
        layout: str,
        lang: str,
        qr_text: str,
        fmt: str,
    ) -> str:
        qr = hashlib.sha256(qr_text.encode()).hexdigest()[:12]
        return f"{link_id}-{meta_version}-r{renderer}-{layout}-{lang}-{qr}.{fmt}"

    def get(self, name: str) -> bytes | None:
        try:
            return (self.directory / name).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, name: str, body: bytes) -> None:
        """Write atomically (readers never see half a card), then drop stale versions."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            os.replace(tmp, self.directory / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._sweep(name)

    def _sweep(self, name: str) -> None:
        link_id, version = name.split("-", 2)[:2]
        for old in self.directory.glob(f"{link_id}-*"):
            if old.name.split("-", 2)[1] != version:
                old.unlink(missing_ok=True)
