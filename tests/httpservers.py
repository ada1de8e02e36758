"""Real HTTP servers on loopback for tests: pages, redirects, slow drips, endless bodies, bombs.

Each server binds an ephemeral port on 127.0.0.1 (or ::1), runs in a thread
and counts the TCP connections it accepts, so a test can prove that a refused
fetch never reached it. Routes map a path to a handler ``fn(request)`` where
``request`` is the ``BaseHTTPRequestHandler``; the helpers below build the
common ones. Import it from any test: ``from httpservers import LoopbackServer, page``.

    with LoopbackServer({"/": page("<title>hi</title>")}) as server:
        requests.get(server.url("/"))
        assert server.connections == 1
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[[BaseHTTPRequestHandler], None]
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, owner, address, family):
        self.address_family = family
        self.owner = owner
        super().__init__(address, _RequestHandler)

    def verify_request(self, request, client_address):
        with self.owner._lock:
            self.owner.connections += 1
        return True

    def handle_error(self, request, client_address):
        """Clients hanging up on slow or endless bodies is the point, not an error."""


class _RequestHandler(BaseHTTPRequestHandler):
    server_version = "LoopbackServer/1"

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def do_GET(self):
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        with owner._lock:
            owner.requests.append(
                {"method": self.command, "path": self.path, "headers": dict(self.headers)}
            )
        handler = owner.routes.get(path) or owner.routes.get(self.path)
        if handler is None:
            handler = page("<h1>not found</h1>", status=404)
        try:
            handler(self)
        except _GONE:
            self.close_connection = True

    do_HEAD = do_GET
    do_POST = do_GET


class LoopbackServer:
    """A threaded HTTP/1.0 server on an ephemeral loopback port; use as a context manager."""

    def __init__(
        self, routes: dict[str, Handler | bytes | str] | None = None, host="127.0.0.1", port=0
    ):
        self.host = host
        self.routes: dict[str, Handler] = {}
        self.connections = 0
        self.requests: list[dict] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        for path, handler in (routes or {}).items():
            self.route(path, handler)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._server = _Server(self, (host, port), family)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def route(self, path: str, handler: Handler | bytes | str) -> None:
        """Serve `handler` at `path`; bytes or str are served as an HTML page."""
        self.routes[path] = handler if callable(handler) else page(handler)

    def url(self, path: str = "/", host: str | None = None) -> str:
        """Absolute URL of `path` on this server (optionally spelled with another host)."""
        host = host or (f"[{self.host}]" if ":" in self.host else self.host)
        return f"http://{host}:{self.port}{path}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def page(body: bytes | str, content_type="text/html; charset=utf-8", status=200, headers=None):
    """A fixed response; str bodies are UTF-8 encoded."""
    data = body.encode("utf-8") if isinstance(body, str) else body

    def handler(req):
        req.send_response(status)
        if content_type:
            req.send_header("Content-Type", content_type)
        req.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            req.send_header(name, value)
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(data)

    return handler


def redirect(location: str | Callable[[], str], status: int = 302):
    """A redirect to `location` (or to what a zero-argument callable returns, for late URLs)."""

    def handler(req):
        req.send_response(status)
        req.send_header("Location", location() if callable(location) else location)
        req.send_header("Content-Length", "0")
        req.end_headers()

    return handler


def slow_drip(interval: float = 0.2, chunk: bytes = b" ", total: int = 10_000):
    """Headers at once, then `chunk` every `interval` s: every read is quick, the body endless."""

    def handler(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/html; charset=utf-8")
        req.end_headers()
        req.wfile.write(b"<html><head><title>drip</title>")
        for _ in range(total):
            if req.server.owner.stopping.is_set():
                return
            req.wfile.write(chunk)
            req.wfile.flush()
            time.sleep(interval)

    return handler


def endless(chunk_size: int = 64 * 1024, content_type: str = "text/html"):
    """A body that never ends (no Content-Length), as fast as the client reads."""
    block = b"<p>" + b"x" * (chunk_size - 3)

    def handler(req):
        req.send_response(200)
        req.send_header("Content-Type", content_type)
        req.end_headers()
        while not req.server.owner.stopping.is_set():
            req.wfile.write(block)

    return handler


@cache
def bomb_bytes(inflated_size: int = 256 * 1024 * 1024) -> bytes:
    """gzip of `inflated_size` zero bytes (256 MB inflate from about 250 KB)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [z.compress(block) for _ in range(inflated_size // len(block))]
    parts.append(z.flush())
    return b"".join(parts)


def gzip_bomb(inflated_size: int = 256 * 1024 * 1024, content_type: str = "text/html"):
    """A small gzip-encoded body that inflates to `inflated_size` bytes."""
    return page(
        bomb_bytes(inflated_size), content_type=content_type, headers={"Content-Encoding": "gzip"}
    )


def gzipped(body: bytes | str, content_type="text/html; charset=utf-8"):
    """An honest gzip-encoded page."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return page(
        gzip.compress(data), content_type=content_type, headers={"Content-Encoding": "gzip"}
    )
