"""Article URL validation and normalisation.

One link exists per normalised URL, so two spellings of the same address
(``HTTP://Example.com:80/a#top`` and ``http://example.com/a``) share a code.
Anything that is not a plain absolute http(s) URL is refused with a sentence
the caller can act on.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import quote, urlsplit, urlunsplit

import idna

from share.errors import InputError

MAX_URL_LENGTH = 2048
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters kept as they are in paths and queries; everything else non-ASCII
# is percent-encoded the way browsers send it.
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


class InvalidURL(InputError):
    """The URL cannot be used (code ``invalid_url``); ``str(error)`` says why in one sentence."""

    def __init__(self, message: str):
        super().__init__("invalid_url", message)


def normalise_url(raw: object) -> str:
    """Return the canonical form of an article URL or raise :class:`InvalidURL`."""
    if not isinstance(raw, str) or not raw:
        raise InvalidURL("Give the article's full address, starting with http:// or https://.")
    if len(raw) > MAX_URL_LENGTH:
        raise InvalidURL(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if _CONTROL.search(raw):
        raise InvalidURL("The URL contains spaces or control characters; encode them first.")
    if "\\" in raw:
        raise InvalidURL("The URL contains a backslash, which browsers read differently.")
    scheme, sep, _ = raw.partition(":")
    if not sep or scheme.lower() not in _DEFAULT_PORTS:
        raise InvalidURL(
            f"Only absolute http:// and https:// URLs can be shared (got {_describe_scheme(raw)})."
        )
    try:
        parts = urlsplit(raw)
    except ValueError:  # e.g. a bracketed host that is no IP address
        raise InvalidURL("The URL's host is not valid; check the brackets around it.") from None
    if not raw[len(scheme) + 1 :].startswith("//") or not parts.netloc:
        raise InvalidURL("The URL has no host; write it as https://host/path.")
    if "@" in parts.netloc:
        raise InvalidURL("URLs with a user name or password are not accepted.")
    host = _normalise_host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidURL("The URL's port is not a number between 0 and 65535.") from exc
    scheme = scheme.lower()
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    query = quote(parts.query, safe=_SAFE_QUERY)
    url = urlunsplit((scheme, netloc, path, query, ""))
    if len(url) > MAX_URL_LENGTH:
        raise InvalidURL(f"The URL is longer than {MAX_URL_LENGTH} characters once encoded.")
    return url


def _describe_scheme(raw: str) -> str:
    scheme, sep, _ = raw.partition(":")
    if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        return f"a {scheme.lower()}: URL"
    return "a relative or scheme-less address"


def _normalise_host(host: str) -> str:
    if not host:
        raise InvalidURL("The URL has no host; write it as https://host/path.")
    if host.startswith("[") or ":" in host:
        # urlsplit lets any "[v1.…]" text through; only a real IPv6 address will do.
        try:
            return f"[{ipaddress.IPv6Address(host.strip('[]'))}]"
        except ValueError:
            raise InvalidURL(f"The host {host!r} is not a valid IPv6 address.") from None
    try:
        return idna.encode(host.rstrip("."), uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidURL(f"The host name {host!r} is not a valid domain name.") from exc


def host_of(url: str) -> str:
    """The lower-case host of an already normalised URL."""
    return (urlsplit(url).hostname or "").lower()


def host_allowed(host: str, patterns: list[str]) -> bool:
    """Match ``host`` against ``example.com`` and ``*.example.com`` patterns.

    ``*.example.com`` matches sub-domains only, not ``example.com`` itself nor
    ``badexample.com``.
    """
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower().strip().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def encodable(text: str) -> bool:
    """Whether ``text`` can be stored and sent as UTF-8 (no lone surrogates from bad JSON)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
