"""Every ScanShare setting, declared once with its default and help text.

The README's configuration table is checked against this tuple by a test, so a
setting cannot be added without being documented (the datasette habit).
Settings are read the Flask way: ``SHARE_X`` in the environment sets ``X``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from . import clock


def as_list(value: Any) -> list[str]:
    """Split a comma/space separated setting (or accept a list) into clean items."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part for part in str(value).replace(",", " ").split() if part]


def as_bool(value: Any) -> bool:
    """``true``/``1``/``yes``/``on`` (any case) or a real bool."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{value!r} is not true or false")


def as_zone(value: Any) -> ZoneInfo:
    """An IANA time zone (a ``ZoneInfo`` passes through)."""
    if isinstance(value, ZoneInfo):
        return value
    try:
        return clock.zone(str(value).strip())
    except clock.UnknownZone:
        raise ValueError("not an IANA time zone name, e.g. Asia/Shanghai or UTC") from None


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: Callable[[Any], Any] | None = None  # converts env strings once, at start-up


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "Any SQLAlchemy URL. Default: a SQLite file `scanshare.sqlite3` in the instance folder.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Sessions, CSRF and the visitor-hash salt. Default: generated once and kept in the "
        "instance folder; set it explicitly when several machines serve.",
    ),
    Setting(
        "PUBLIC_URL",
        None,
        "Base URL printed into QR codes and short links, e.g. `https://s.example.com`. "
        "Unset: the request's own host, only when it is in `TRUSTED_HOSTS` or a loopback name.",
    ),
    Setting(
        "TRUSTED_HOSTS",
        None,
        "Host names this server answers for (Flask's `TRUSTED_HOSTS`), comma separated; "
        "other `Host` headers get a 400.",
        kind=as_list,
    ),
    Setting(
        "ALLOWED_HOSTS",
        "",
        "Hosts whose articles the public widget may register: `example.com`, `*.example.com`, "
        "comma separated.",
        kind=as_list,
    ),
    Setting(
        "REDIS_URL",
        None,
        "Shared rate-limit storage when several app instances run, e.g. "
        "`redis://127.0.0.1:6379/0`. Unset: in-process memory.",
    ),
    Setting(
        "FETCH_ALLOW_NETWORKS",
        "",
        "Private networks (CIDR list) the page/image fetcher may reach anyway, on any port.",
    ),
    Setting("FETCH_ALLOWED_PORTS", "80,443", "Ports the fetcher may use on public hosts."),
    Setting(
        "FETCH_TIMEOUT",
        8.0,
        "Wall-clock seconds for one page or image fetch, redirects included.",
        kind=float,
    ),
    Setting(
        "FETCH_ON_CREATE",
        True,
        "Fetch the article's title, summary, image and language when a link is registered "
        "(bounded by `FETCH_TIMEOUT`); false leaves them empty until a refresh.",
        kind=as_bool,
    ),
    Setting(
        "PROXY_COUNT",
        0,
        "How many reverse proxies in front set `X-Forwarded-For`; 0 means the socket's "
        "address is the client.",
        kind=int,
    ),
    Setting(
        "TIMEZONE",
        "Asia/Shanghai",
        "The dashboard's display time zone, an IANA name (storage stays UTC). Its days are the "
        "dashboard's days and the visitor-hash day; an unknown zone stops start-up.",
        as_zone,
    ),
    Setting(
        "ADMIN_LOGIN_LIMIT_ACCOUNT",
        "5 per 15 minutes",
        "Failed dashboard logins allowed per username (known or not) before a 429; "
        "shared across workers through `REDIS_URL`.",
    ),
    Setting(
        "ADMIN_LOGIN_LIMIT_CLIENT",
        "20 per 15 minutes",
        "Failed dashboard logins allowed per client address before a 429.",
    ),
    Setting(
        "SQLITE_BUSY_TIMEOUT",
        5.0,
        "Seconds a SQLite writer waits for the lock before giving up.",
        kind=float,
    ),
    Setting(
        "QR_CACHE_BYTES",
        32 * 1024 * 1024,
        "Memory for rendered QR images per worker process (least recently used are dropped).",
        kind=int,
    ),
    Setting(
        "SHARE_RATE_LIMIT",
        "120 per minute",
        "Rate limit per client for the public `/api/v1/share` and `/qr.png` routes.",
    ),
    Setting(
        "REDIRECT_LOOKUP_CACHE",
        10000,
        "Links kept in memory per worker so a scan still redirects when the database "
        "is unreachable.",
        kind=int,
    ),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
