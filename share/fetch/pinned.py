"""A requests adapter whose sockets go to one vetted IP address.

Checking a host's addresses and then letting requests resolve the name again
is a DNS-rebinding race: the second answer may be 127.0.0.1. Here the
connection is made to the address we checked, while the URL keeps the host
name, so the Host header, TLS SNI and certificate checks still use the name.
After connecting, the peer address is checked once more.
"""

from __future__ import annotations

import ipaddress
import socket

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection


class PeerRefused(NewConnectionError):
    """The socket ended up somewhere other than the vetted address."""


class _PinnedMixin:
    pinned_ip: str = ""

    def _new_conn(self) -> socket.socket:
        try:
            sock = urllib3_connection.create_connection(
                (self.pinned_ip, self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connecting to {self.host} timed out.") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to connect to {self.host}: {exc}") from exc
        peer = ipaddress.ip_address(sock.getpeername()[0].split("%", 1)[0])
        if peer != ipaddress.ip_address(self.pinned_ip):
            sock.close()
            raise PeerRefused(self, f"Connected to {peer}, not the vetted {self.pinned_ip}.")
        return sock


class PinnedAdapter(HTTPAdapter):
    """Sends every request of this adapter to `ip`, whatever the URL's host resolves to."""

    def __init__(self, ip: str):
        self._ip = str(ip)
        super().__init__(pool_connections=1, pool_maxsize=1, max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        """Swap in pools whose connections dial the pinned IP and check the peer.

        Requests calls this from ``HTTPAdapter.__init__``, hence ``_ip`` is set before ``super()``.
        """
        super().init_poolmanager(*args, **kwargs)
        ip = self._ip
        http_conn = type("PinnedHTTPConnection", (_PinnedMixin, HTTPConnection), {"pinned_ip": ip})
        https_conn = type(
            "PinnedHTTPSConnection", (_PinnedMixin, HTTPSConnection), {"pinned_ip": ip}
        )
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
