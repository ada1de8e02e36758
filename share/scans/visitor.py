"""The `Visitor` value object: everything a scan records about who scanned, decided once.

Built from plain request parts (method, headers, socket address, `?src=`), so the redirect view
stays a few lines and the policy is testable without Flask. Privacy by construction: the
client's IP address only ever enters the HMAC behind `visitor_hash`; it is not a field, so it
cannot reach the database or a log line through this object. The HMAC key is derived from the
app secret and the day in the display zone (``SHARE_TIMEZONE``, see docs/decisions/0006), so
hashes count unique visitors within the days editors read and cannot be joined across days,
and nothing has to be stored or rotated by hand.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from share import clock
from share.scans import useragents
from share.scans.counting import counts_as_human

UA_LIMIT = 512
DEFAULT_PLACEMENT = "link"
PLACEMENT_RE = re.compile(r"[a-z0-9_-]{1,32}")  # the contract's `src` values
_HOST = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """`name` from a case-insensitive mapping (werkzeug) or a plain dict of any key case."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    value = headers.get(wanted)
    if value is not None:
        return value
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def parse_placement(src: str | None) -> str:
    """`?src=` when it is a valid placement, else "link" (never an error: codes are printed)."""
    return src if isinstance(src, str) and PLACEMENT_RE.fullmatch(src) else DEFAULT_PLACEMENT


def referrer_host(referer: str | None) -> str | None:
    """Lower-case host of a Referer (no port, path, query or userinfo), None when unusable."""
    if not referer or len(referer) > 4096:
        return None
    try:
        parts = urlsplit(referer.strip())
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced "[" in the netloc
        return None
    if not parts.scheme or not host:
        return None
    host = host.rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if ":" in host:  # an IPv6 literal, already unbracketed by urlsplit
        return _normal_ip(host)
    return host if len(host) <= 253 and _HOST.fullmatch(host) else None


def _normal_ip(text: str) -> str | None:
    """`text` as a canonical IP address string, None when it is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def _forwarded_ip(entry: str) -> str | None:
    """One X-Forwarded-For entry as an IP; tolerates `1.2.3.4:5678` and `[::1]:5678`."""
    entry = entry.strip()
    if entry.startswith("[") and "]" in entry:
        return _normal_ip(entry[1 : entry.index("]")])
    if entry.count(":") == 1:
        entry = entry.split(":", 1)[0]
    return _normal_ip(entry)


def client_ip(remote_addr: str | None, x_forwarded_for: str | None, proxy_count: int) -> str | None:
    """The client's address: the `proxy_count`-th X-Forwarded-For entry from the right.

    Entries further left were written by the client itself and can be anything, so only the
    hops our own proxies appended are trusted. Too few entries or a malformed one → the
    socket address, never a guess.
    """
    if proxy_count <= 0 or not x_forwarded_for:
        return remote_addr
    entries = x_forwarded_for.split(",")
    if len(entries) < proxy_count:
        return remote_addr
    return _forwarded_ip(entries[-proxy_count]) or remote_addr


def _key(secret: bytes | str) -> bytes:
    key = secret.encode() if isinstance(secret, str) else bytes(secret)
    if not key:
        raise ValueError("a non-empty secret is required to hash visitors")
    return key


@lru_cache(maxsize=8)
def daily_salt(secret: bytes | str, day: date) -> bytes:
    """The day's HMAC key, derived (never persisted): HMAC(secret, "visitor-salt:" + ISO day).

    Memoised per process (a handful of entries) so a redirect pays for one HMAC, not two.
    """
    return hmac.new(
        _key(secret), f"visitor-salt:{day.isoformat()}".encode(), hashlib.sha256
    ).digest()


def visitor_hash(secret: bytes | str, day: date, ip: str | None, user_agent: str) -> str:
    """32 hex characters identifying (IP, user agent) within one salt day."""
    message = f"{ip or ''}\n{user_agent}".encode("utf-8", "surrogatepass")
    return hmac.new(daily_salt(secret, day), message, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Visitor:
    """One scan's visitor, as recorded: no raw IP, a capped user agent, the bot verdict."""

    client: str
    platform: str
    placement: str
    referrer_host: str | None
    user_agent: str
    is_bot: bool
    visitor_hash: str

    @property
    def is_human(self) -> bool:
        """Whether this scan counts in the human totals (bots are stored but kept apart)."""
        return not self.is_bot

    def columns(self) -> dict:
        """What a scan row stores of this visitor (the spool writes these as they are)."""
        return {
            "placement": self.placement,
            "client": self.client,
            "platform": self.platform,
            "is_bot": self.is_bot,
            "referrer_host": self.referrer_host,
            "user_agent": self.user_agent,
            "visitor": self.visitor_hash,
        }

    def scan_row(self, at: datetime) -> dict:
        """The ``scans`` row of this visit at instant ``at``: the one Visitor -> row mapping."""
        return {"ts": clock.to_storage(at), "hour": clock.epoch_hour(at), **self.columns()}

    @classmethod
    def from_request(
        cls,
        *,
        method: str,
        headers: Mapping[str, str],
        remote_addr: str | None,
        src: str | None,
        secret: bytes | str,
        proxy_count: int = 0,
        now: datetime | None = None,
        salt_zone: ZoneInfo = clock.UTC_ZONE,
    ) -> Visitor:
        """Build the visitor of one request; whether it is a person is :func:`counts_as_human`.

        The visitor hash's salt is that of ``now``'s day in ``salt_zone``
        (the display zone), so "unique" means unique within the days shown.
        """
        full_ua = header(headers, "User-Agent") or ""
        ua = full_ua[:UA_LIMIT]
        info = useragents.classify(full_ua)
        ip = client_ip(remote_addr, header(headers, "X-Forwarded-For"), proxy_count)
        return cls(
            client=info.client,
            platform=info.platform,
            placement=parse_placement(src),
            referrer_host=referrer_host(header(headers, "Referer")),
            user_agent=ua,
            is_bot=not counts_as_human(method, info),
            visitor_hash=visitor_hash(
                secret, clock.local_day(now or clock.now(), salt_zone), ip, ua
            ),
        )
