"""The JS-SDK signature, exactly as WeChat documents it.

``signature = sha1("jsapi_ticket=…&noncestr=…&timestamp=…&url=…")`` over the
page URL without its fragment, the four keys in that (alphabetical) order and
the values as they are: no URL-encoding, no normalising. WeChat compares it
with the URL the page really has, so the URL is signed byte for byte as the
page reports it (``location.href.split('#')[0]``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from share.errors import InputError

#: Longest page URL signed; longer ones are refused before any work.
MAX_URL = 2048


@dataclass(frozen=True, slots=True)
class Signed:
    """What ``wx.config`` needs besides the app id."""

    timestamp: int
    nonce: str
    signature: str


def sign(ticket: str, nonce: str, timestamp: int, url: str) -> str:
    """The SHA-1 hex signature of ``url`` (its fragment already removed) for ``wx.config``."""
    text = f"jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(text.encode("utf-8")).hexdigest()  # noqa: S324 - WeChat's algorithm


def page_url(raw: object) -> str:
    """The page URL to sign: checked, fragment removed, otherwise exactly as given.

    :class:`InputError` (``invalid_url``) names what is wrong: missing, too long,
    not http(s), no host, or holding control characters or spaces (a page's
    ``location.href`` never does).
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InputError("invalid_url", "Give the page's address as `url` (location.href).")
    url = raw.split("#", 1)[0]
    if len(url) > MAX_URL:
        raise InputError("invalid_url", f"`url` is longer than {MAX_URL} characters.")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in url):
        raise InputError(
            "invalid_url", "`url` holds spaces or control characters; send location.href as is."
        )
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname
    except ValueError:
        scheme = host = None
    if scheme not in ("http", "https") or not host:
        raise InputError("invalid_url", "`url` must be the page's http(s) address.")
    return url


def new_nonce() -> str:
    """A fresh random ``nonceStr`` (16 letters and digits, as WeChat's examples use)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))
