"""Which URLs and addresses the fetcher may reach.

Server-side fetching of user-supplied URLs is the classic SSRF hole, so every
decision about *where* a request may go lives here, in one small module with
no I/O except the DNS lookup itself.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import idna

from .errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Iterable[str]]

# Refused even inside allow_networks: no article lives on a metadata service.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "100.100.100.200", "fd00:ec2::254", "192.0.0.192")
)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
# IPv6 forms that smuggle or translate an IPv4 address; refused outright, as
# where they lead depends on gateways we cannot see.
TRANSLATED_V6 = tuple(
    ipaddress.ip_network(n)
    for n in ("2002::/16", "2001::/32", "64:ff9b::/96", "64:ff9b:1::/48", "::/96")
)


def unwrap(ip: IPAddress) -> IPAddress:
    """An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as the IPv4 it carries."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_public(ip: IPAddress) -> bool:
    """True only for globally routable unicast addresses (no private, loopback, CGNAT...)."""
    ip = unwrap(ip)
    if ip in METADATA_ADDRESSES:
        return False
    if isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and any(ip in n for n in TRANSLATED_V6):
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or getattr(ip, "is_site_local", False)
    )


def is_allowed(ip: IPAddress, port: int, allow_networks: Iterable[Network], ports: Iterable[int]):
    """Allow-listed networks are reachable on any port; public hosts only on `ports`."""
    ip = unwrap(ip)
    if ip in METADATA_ADDRESSES:
        return False
    if any(ip.version == n.version and ip in n for n in allow_networks):
        return True
    return is_public(ip) and port in tuple(ports)


def split_url(url: str) -> tuple[str, str, int]:
    """(scheme, ASCII host, port) of an http(s) URL, refusing forms parsers disagree on.

    Backslashes, credentials, whitespace and control characters are refused
    outright: `http://a\\@b/` means host `b` to Python but host `a` to a
    browser, and we never want to guess which one a later layer will use.
    """
    if not isinstance(url, str) or not url:
        raise FetchError("bad_url", "The URL is empty.")
    if any(c in url for c in "\\ \t\r\n") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise FetchError("bad_url", "The URL contains a backslash, space or control character.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError("bad_url", f"The URL could not be parsed ({exc}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("bad_scheme", "Only http and https URLs can be fetched.")
    if "@" in parts.netloc:
        raise FetchError("bad_url", "URLs with a user name or password are not fetched.")
    host = parts.hostname or ""
    if not host:
        raise FetchError("bad_url", "The URL has no host name.")
    return scheme, ascii_host(host), port or (443 if scheme == "https" else 80)


def ascii_host(host: str) -> str:
    """Lowercase ASCII form of the host; Unicode (even ⓔⓧⓐⓜⓟⓛⓔ) goes through UTS #46."""
    host = host.strip("[]").rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise FetchError("bad_url", "The host name is not a valid domain name.") from None


def resolve(host: str, port: int, timeout: float, resolver: Resolver | None = None) -> list:
    """Every address `host` resolves to (A and AAAA), within `timeout` seconds.

    getaddrinfo cannot be interrupted, so it runs in a daemon thread that we
    stop waiting for at the deadline.
    """
    try:
        return [ipaddress.ip_address(host.split("%", 1)[0])]
    except ValueError:
        pass
    found: list = []
    failure: list = []

    def work():
        try:
            if resolver is not None:
                found.extend(resolver(host, port))
            else:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                found.extend(info[4][0] for info in infos)
        except (OSError, UnicodeError) as exc:
            failure.append(exc)

    worker = threading.Thread(target=work, daemon=True, name="fetch-dns")
    worker.start()
    worker.join(max(timeout, 0.0))
    if worker.is_alive():
        raise FetchError("timeout", f"Looking up {host} took too long.")
    if failure or not found:
        raise FetchError("dns_error", f"The host name {host} could not be resolved.")
    addresses = []
    for text in found:
        ip = ipaddress.ip_address(str(text).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    return addresses
