"""Reading a response body under a byte cap and a wall-clock deadline.

The body is read raw (decode_content=False) and decompressed here, so the cap
applies to what decompression produces: a 10 KB gzip that inflates to 10 GB
stops at cap + 1 bytes. Every socket read gets the time left as its timeout,
so a server dripping one byte a second is cut off at the deadline, not after
`deadline` seconds per byte.
"""

from __future__ import annotations

import time
import zlib

from urllib3.exceptions import HTTPError as Urllib3Error

from .errors import FetchError

CHUNK = 64 * 1024


def read_body(response, cap: int, deadline: float) -> bytes:
    """The decoded body of a streamed requests response, or FetchError."""
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > cap:
        raise FetchError("too_large", f"The body is {declared} bytes; the limit is {cap}.")
    decoder = _Decoder(response.headers.get("Content-Encoding", ""), cap)
    raw = response.raw
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    received = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError("timeout", "The body was not received within the deadline.")
        if sock is not None:
            sock.settimeout(left)
        try:
            chunk = raw.read1(CHUNK, decode_content=False)
        except TimeoutError:
            raise FetchError("timeout", "The body was not received within the deadline.") from None
        except (Urllib3Error, OSError) as exc:
            if isinstance(exc.__context__, TimeoutError) or "timed out" in str(exc):
                raise FetchError("timeout", "The body was not received in time.") from None
            raise FetchError(
                "connect_error", f"The connection broke while reading: {exc}."
            ) from None
        if not chunk:
            return decoder.finish()
        received += len(chunk)
        if received > cap:
            raise FetchError("too_large", f"The body is larger than {cap} bytes.")
        decoder.feed(chunk)


class _Decoder:
    """gzip/deflate decompression that never produces more than cap + 1 bytes."""

    def __init__(self, encoding: str, cap: int):
        self.cap = cap
        self.out = bytearray()
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError("bad_encoding", f"Content-Encoding {encoding!r} is not supported.")
        self.coding = codings[0] if codings else None
        self.z = self._new()
        self.raw_deflate_tried = False

    def _new(self):
        if self.coding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        if self.coding == "deflate":
            return zlib.decompressobj()
        return None

    def feed(self, data: bytes) -> None:
        if self.z is None:
            self.out += data
            self._check()
            return
        try:
            while data:
                self.out += self.z.decompress(data, self.cap + 1 - len(self.out))
                self._check()
                data = self.z.unconsumed_tail
                if self.z.eof and self.z.unused_data:  # concatenated gzip members
                    data, self.z = self.z.unused_data, self._new()
        except zlib.error:
            if self.coding == "deflate" and not self.raw_deflate_tried and not self.out:
                # Some servers send raw deflate without the zlib header.
                self.raw_deflate_tried = True
                self.z = zlib.decompressobj(-zlib.MAX_WBITS)
                self.feed(data)
                return
            raise FetchError("bad_encoding", "The compressed body is corrupt.") from None

    def _check(self) -> None:
        if len(self.out) > self.cap:
            raise FetchError("too_large", f"The body inflates beyond {self.cap} bytes.")

    def finish(self) -> bytes:
        if self.z is not None and not self.z.eof and self.out == b"":
            raise FetchError("bad_encoding", "The compressed body is truncated.")
        return bytes(self.out)
