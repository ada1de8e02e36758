"""Rendered cards kept as files (the instance folder's ``cards/``), shared by all workers.

A file's name holds everything that changes its bytes: link id, metadata
version, renderer version, layout, language, a hash of the QR text (the public
URL may differ per host) and the format. Editing or refreshing a link bumps
its metadata version, so the next request renders a new file and sweeps the
link's older ones: invalidation without a cache-wide flush.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path


def etag(body: bytes) -> str:
    """A strong validator from the bytes themselves, so it can never outlive them."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


class CardStore:
    """Card files on disk shared by all workers, with a per-process memo of their ETags."""

    def __init__(self, directory: str | Path, memo_size: int = 4096):
        self.directory = Path(directory)
        # (name, inode, mtime, size) -> ETag: a 304 costs one stat(), not a read and a hash.
        # Keyed by the file's identity, so a card rewritten by another worker is re-hashed.
        self._etags: dict[tuple, str] = {}
        self._memo_size = memo_size

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
        """The card's file name: every input that changes its bytes, so new input means a new file.

        It begins ``<link_id>-<meta_version>-``: :meth:`put` sweeps older versions by that.
        """
        qr = hashlib.sha256(qr_text.encode()).hexdigest()[:12]
        return f"{link_id}-{meta_version}-r{renderer}-{layout}-{lang}-{qr}.{fmt}"

    def etag(self, name: str) -> str | None:
        """The cached card's ETag, or None when it is not cached."""
        try:
            st = os.stat(self.directory / name)
        except FileNotFoundError:
            return None
        tag = self._etags.get((name, st.st_ino, st.st_mtime_ns, st.st_size))
        if tag is None:
            found = self.get(name)
            tag = found[1] if found else None
        return tag

    def get(self, name: str) -> tuple[bytes, str] | None:
        """The cached card and its ETag, read from one open file so they always match."""
        try:
            with open(self.directory / name, "rb") as f:
                st = os.fstat(f.fileno())
                body = f.read()
        except FileNotFoundError:
            return None
        key = (name, st.st_ino, st.st_mtime_ns, st.st_size)
        tag = self._etags.get(key)
        if tag is None:
            tag = self._remember(key, etag(body))
        return body, tag

    def _remember(self, key: tuple, tag: str) -> str:
        if len(self._etags) >= self._memo_size:
            self._etags.clear()  # crude but bounded; refilled by the next requests
        self._etags[key] = tag
        return tag

    def put(self, name: str, body: bytes) -> str:
        """Write atomically (readers never see half a card), drop stale versions; the ETag."""
        self.directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            st = os.stat(tmp)
            os.replace(tmp, self.directory / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._sweep(name)
        return self._remember((name, st.st_ino, st.st_mtime_ns, st.st_size), etag(body))

    def forget_link(self, link_id: int) -> None:
        """Remove every cached card of one link (it was deleted).

        Best effort: a file that cannot be removed is never served again anyway
        (the card route answers 410 first), so the deletion is not failed for it.
        """
        for old in self.directory.glob(f"{int(link_id)}-*"):
            with contextlib.suppress(OSError):
                old.unlink(missing_ok=True)

    def _sweep(self, name: str) -> None:
        link_id, version = name.split("-", 2)[:2]
        for old in self.directory.glob(f"{link_id}-*"):
            if old.name.split("-", 2)[1] != version:
                old.unlink(missing_ok=True)
