"""gunicorn's threaded worker, but a request is read whole before a thread is given to it.

The stock ``gthread`` worker hands a connection to a pool thread as soon as
its first byte arrives, and the thread then waits, without limit, for the
rest of the head: a few clients that send half a header and one more byte
every few seconds (slowloris), or a whole head and then a body a byte at a
time (slow POST), hold every thread and the service stops answering for as
long as they like, even ``/healthz``. Here the worker's event loop, which
already watches idle kept-alive connections, reads heads and bodies (up to
the app's 2 MiB) as they trickle in (non-blocking, in memory) and queues a
connection for a thread only once its request is complete, so slow clients
cost a buffer each and never a thread. A request not complete within
:data:`HEAD_TIMEOUT` seconds of the connection is dropped, and a thread
gives up on a reader stalled for ``timeout`` seconds.

Used by ``deploy/gunicorn.conf.py``; it needs gunicorn's worker internals
(``TConn``, ``pending_conns``, ``enqueue_req``) of gunicorn 27 and serves plain
HTTP/1.x: with TLS or cleartext HTTP/2 in gunicorn itself it behaves as the
stock ``gthread`` worker (put nginx in front for both, see ``deploy/nginx``).
"""

from __future__ import annotations

import errno
import selectors
import time
from functools import partial

from gunicorn.workers import gthread

HEAD_TIMEOUT = 10.0  # a phone on a poor network sends its ~1 KB request in well under this
HEAD_LIMIT = 64 * 1024  # more than gunicorn's own limits allow: its parser refuses it
BODY_LIMIT = 2 * 1024 * 1024 + 1  # the app's MAX_BODY_BYTES: a larger body is refused unread


def _complete(buf: bytearray) -> bool:
    """A whole request has arrived: its head, and its body when the head announces one.

    The body counts only up to :data:`BODY_LIMIT` (past that the app refuses
    it unread); a chunked body is whole at its last chunk. Anything the loop
    cannot read (a head too large, a malformed length) goes to the parser,
    which answers it.
    """
    end, sep = buf.find(b"\r\n\r\n"), 4
    if end < 0:
        end, sep = buf.find(b"\n\n"), 2
    if end < 0:
        return len(buf) >= HEAD_LIMIT
    body = len(buf) - end - sep
    length, chunked = _framing(bytes(buf[:end]))
    if chunked:
        return body >= BODY_LIMIT or buf.endswith(b"0\r\n\r\n")
    return length is None or length > BODY_LIMIT or body >= length


def _framing(head: bytes) -> tuple[int | None, bool]:
    """``(Content-Length, chunked)`` as the head declares them (``None``: none or unreadable)."""
    length, chunked = None, False
    for line in head.split(b"\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    return length, chunked


class _Conn(gthread.TConn):
    """A connection that carries the head bytes read by the event loop to the parser."""

    def __init__(self, *args):
        super().__init__(*args)
        self.head = bytearray()

    def init(self):
        super().init()  # the parser, made once per connection
        # a thread never waits on this client longer than the worker timeout
        self.sock.settimeout(self.cfg.timeout or None)
        if self.head:
            self.parser.unreader.unread(bytes(self.head))
            self.head = bytearray()


class BufferedHeadWorker(gthread.ThreadWorker):
    """``gthread`` whose pool threads only ever see connections with a complete request head.

    It also takes no new connection while every thread has work: the stock
    worker accepts whatever comes, so one worker could take all of a burst
    of kept-alive connections and serve them on one core while the others
    idle (the redirect benchmark swung between 1,300 and 4,000 req/s with it).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_pool = 0  # connections handed to the threads and not finished yet

    def set_accept_enabled(self, enabled):
        """Accept only with a thread to spare: leave new clients to a less busy worker."""
        super().set_accept_enabled(enabled and self.in_pool < self.cfg.threads)

    def enqueue_req(self, conn):
        """Hand ``conn`` to the threads (event loop only, like every method here).

        A kept-alive connection whose client pipelined part of its next head
        behind a request waits for the rest here, like any other head.
        """
        if isinstance(conn, _Conn) and conn.parser is not None:
            buffered = conn.parser.unreader.buf.getvalue()
            if buffered and not _complete(bytearray(buffered)):
                conn.head += conn.parser.unreader.take_buffered()
                conn.sock.setblocking(False)
                self._await_head(conn)
                return
        self.in_pool += 1
        if self.in_pool >= self.cfg.threads:
            self.set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn, fs):
        """A thread is done with ``conn``: accept again if there is room."""
        self.in_pool -= 1
        super().finish_request(conn, fs)
        self.set_accept_enabled(self.alive and self.nr_conns < self.worker_connections)

    def _plain(self) -> bool:
        return not self.cfg.is_ssl and self.cfg.http2_cleartext in ("off", None)

    def accept(self, listener):
        """Take a new connection into the event loop until its head has arrived."""
        if not self._plain():
            return super().accept(listener)
        try:
            sock, client = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return None
        self.nr_conns += 1
        conn = _Conn(self.cfg, sock, client, listener.getsockname())  # non-blocking
        self._await_head(conn)
        return None

    def on_client_socket_readable(self, conn, client):
        """A kept-alive connection's next request: its head is read in the loop too."""
        if not isinstance(conn, _Conn):
            return super().on_client_socket_readable(conn, client)
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_head(conn)
        self._read_head(conn, client)
        return None

    def _await_head(self, conn: _Conn) -> None:
        # pending_conns is the stock worker's list of connections waiting for
        # data, closed by murder_pending() once their timeout passes; every
        # entry here gets the same timeout, so the list stays in order.
        conn.timeout = time.monotonic() + HEAD_TIMEOUT
        self.pending_conns.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._read_head, conn))

    def _read_head(self, conn: _Conn, _sock) -> None:
        try:
            data = conn.sock.recv(HEAD_LIMIT)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            conn.head += data
            if not _complete(conn.head):
                return  # more to come, or the head timeout
        self.poller.unregister(conn.sock)
        self.pending_conns.remove(conn)
        if not data:  # closed before a whole head
            self.nr_conns -= 1
            conn.close()
            return
        conn.data_ready = True  # no waiting for a first byte in the thread
        self.enqueue_req(conn)
