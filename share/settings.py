"""Every ScanShare setting, declared once with its default and help text.

The README's configuration table is checked against this tuple by a test, so a
setting cannot be added without being documented (the datasette habit).
Settings are read the Flask way: ``SHARE_X`` in the environment sets ``X``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
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


_HOST_PATTERN = re.compile(
    r"(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
)


def as_hosts(value: Any) -> list[str]:
    """Host names or ``*.domain`` patterns (IDN as punycode); a URL or a stray word is refused."""
    hosts = []
    for item in as_list(value):
        host = item.lower().rstrip(".")
        if ":" in host and not host.startswith("["):  # a bare IPv6 address
            ipaddress.ip_address(host)
        elif not (_HOST_PATTERN.fullmatch(host) or _is_bracketed_ip(host)):
            raise ValueError(f"{item!r} is not a host name or *.domain pattern")
        hosts.append(host)
    return hosts


def _is_bracketed_ip(host: str) -> bool:
    if not (host.startswith("[") and host.endswith("]")):
        return False
    ipaddress.ip_address(host[1:-1])
    return True


def as_networks(value: Any) -> list[str]:
    """CIDR networks such as ``10.0.0.0/8`` or ``fd00::/8``, written canonically."""
    try:
        return [str(ipaddress.ip_network(item, strict=False)) for item in as_list(value)]
    except ValueError as exc:
        raise ValueError(f"not a CIDR network list ({exc})") from None


def as_ports(value: Any) -> list[int]:
    """TCP ports 1-65535."""
    ports = []
    for item in as_list(value):
        if not (item.isascii() and item.isdigit()) or not 0 < int(item) < 65536:
            raise ValueError(f"{item!r} is not a TCP port")
        ports.append(int(item))
    return ports


def as_rate_limit(value: Any) -> str:
    """A rate limit such as ``120 per minute`` (several separated by ``;``)."""
    from limits import parse_many

    text = str(value).strip()
    try:
        parse_many(text)
    except ValueError:
        raise ValueError("not a rate limit such as '120 per minute'") from None
    return text


def as_url(value: Any) -> str:
    """An absolute ``http(s)`` URL without query or fragment (a trailing ``/`` is dropped)."""
    text = str(value).strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        host = None
    if not host or parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        raise ValueError("not an http(s) URL such as https://s.example.com")
    return text.rstrip("/")


def as_redis_url(value: Any) -> str:
    """A Redis URL: ``redis://``, ``rediss://`` or ``unix://``."""
    text = str(value).strip()
    if urlsplit(text).scheme not in ("redis", "rediss", "unix"):
        raise ValueError("not a redis:// URL")
    return text


def as_database_url(value: Any) -> str:
    """A SQLAlchemy URL of an engine ScanShare supports (SQLite or PostgreSQL)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    text = str(value).strip()
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise ValueError("not a database URL such as postgresql+psycopg://host/db") from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError("only sqlite:// and postgresql+psycopg:// are supported")
    return text


def as_zone(value: Any) -> ZoneInfo:
    """An IANA time zone (a ``ZoneInfo`` passes through)."""
    if isinstance(value, ZoneInfo):
        return value
    try:
        return clock.zone(str(value).strip())
    except clock.UnknownZone:
        raise ValueError("not an IANA time zone name, e.g. Asia/Shanghai or UTC") from None


def as_days(value: Any) -> int | None:
    """A whole number of days, at least 1; empty means unset (``None``)."""
    if isinstance(value, str) and not value.strip():
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise ValueError("not a whole number of days, at least 1")
    return int(text)


def as_share_target_urls(value: Any) -> dict[str, str]:
    """``{target: template}`` overriding share targets' URLs (:mod:`share.sharing.targets`)."""
    from share.sharing.targets import parse_overrides

    return parse_overrides(value)


def as_utm(value: Any) -> Any:
    """A UTM query-string template (:mod:`share.links.utm`); empty turns UTM off (``None``)."""
    from share.links.utm import parse_site

    return parse_site(value)


def as_logo(value: Any) -> Any:
    """A PNG or JPEG logo file, read and checked now (:mod:`share.qr.logo`); empty is unset."""
    from share.qr.logo import Logo, from_file

    if value is None or isinstance(value, Logo):
        return value
    if not str(value).strip():
        return None
    return from_file(str(value).strip())


@dataclass(frozen=True)
class Setting:
    """One setting: its name (``SHARE_<name>``), default, README help and converter."""

    name: str
    default: Any
    help: str
    kind: Callable[[Any], Any] | None = None  # converts env strings once, at start-up


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "Any SQLAlchemy URL. Default: a SQLite file `scanshare.sqlite3` in the instance folder.",
        kind=as_database_url,
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
        kind=as_url,
    ),
    Setting(
        "TRUSTED_HOSTS",
        None,
        "Host names this server answers for (Flask's `TRUSTED_HOSTS`), comma separated; "
        "other `Host` headers get a 400.",
        kind=as_hosts,
    ),
    Setting(
        "ALLOWED_HOSTS",
        "",
        "Hosts whose articles the public widget may register: `example.com`, `*.example.com`, "
        "comma separated.",
        kind=as_hosts,
    ),
    Setting(
        "REDIS_URL",
        None,
        "Rate-limit counters in Redis, e.g. `redis://127.0.0.1:6379/0` (faster under heavy "
        "traffic). Unset: counters live in the database, which every worker and instance "
        "shares, so limits hold either way.",
        kind=as_redis_url,
    ),
    Setting(
        "FETCH_ALLOW_NETWORKS",
        "",
        "Private networks (CIDR list) the page/image fetcher may reach anyway, on any port.",
        kind=as_networks,
    ),
    Setting(
        "FETCH_ALLOWED_PORTS",
        "80,443",
        "Ports the fetcher may use on public hosts.",
        kind=as_ports,
    ),
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
        kind=as_zone,
    ),
    Setting(
        "ADMIN_LOGIN_LIMIT_ACCOUNT",
        "5 per 15 minutes",
        "Dashboard login attempts per username (known or not) from one client before that "
        "client gets a 429; counted before the password is checked, in the database (or "
        "`REDIS_URL`), so every worker and instance shares the count. A browser that logged "
        "in to the account before is counted on its own (a device cookie).",
        kind=as_rate_limit,
    ),
    Setting(
        "ADMIN_LOGIN_LIMIT_ACCOUNT_CEILING",
        "100 per 15 minutes",
        "Login attempts per username from all clients without that account's device cookie: "
        "stops guessing from many addresses, while an editor's usual browser still gets in.",
        kind=as_rate_limit,
    ),
    Setting(
        "ADMIN_LOGIN_LIMIT_CLIENT",
        "20 per 15 minutes",
        "Dashboard login attempts per client address (all usernames) before a 429.",
        kind=as_rate_limit,
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
        "QR_LOGO",
        None,
        "A PNG or JPEG file put in the centre of `/qr/<code>.png|.svg?logo=1` codes; read and "
        "checked at start-up (hostile or unreadable images stop it, SVG is refused). A logo "
        "uploaded on the dashboard's Brand page beats it. Unset: only an upload.",
        kind=as_logo,
    ),
    Setting(
        "SHARE_RATE_LIMIT",
        "120 per minute",
        "Rate limit per client for the public `/api/v1/share` and `/qr.png` routes.",
        kind=as_rate_limit,
    ),
    Setting(
        "SCAN_SPOOL",
        True,
        "Append each scan to a spool file in the instance folder and ingest it into the "
        "database within about a second (fast 302s, no scan lost while the database is down); "
        "false writes each scan to the database before the 302.",
        kind=as_bool,
    ),
    Setting(
        "SPOOL_FSYNC",
        0.0,
        "Seconds between `fsync` calls on the scan spool; 0 leaves flushing to the kernel "
        "(scans survive a killed worker, not a power cut).",
        kind=float,
    ),
    Setting(
        "SPOOL_MAX_AGE",
        300.0,
        "Seconds the oldest spooled scan may wait for the database before `/healthz` says 503.",
        kind=float,
    ),
    Setting(
        "SCAN_RETENTION_DAYS",
        None,
        "Days raw scan rows are kept; `flask prune` deletes older ones (the dashboard's and the "
        "stats API's counts stay, kept by the roll-ups; the raw-scans CSV starts there). "
        "Unset: kept forever.",
        kind=as_days,
    ),
    Setting(
        "INSTANCE_PATH",
        None,
        "The instance folder (SQLite file, secret key, card cache, scan spool). Default: "
        "`instance/` beside the code. Give each service its own when several run from one "
        "checkout.",
    ),
    Setting(
        "REDIRECT_LOOKUP_CACHE",
        10000,
        "Links kept in memory per worker so a scan still redirects when the database "
        "is unreachable.",
        kind=int,
    ),
    Setting(
        "UTM",
        "",
        "UTM tags added to the redirect's `Location`, a query-string template such as "
        "`utm_source={placement}&utm_medium=qr&utm_campaign={tag}` (placeholders `{placement}`, "
        "`{client}`, `{tag}`, `{code}`); a link's own `utm` overrides it per parameter, and "
        "parameters the article URL already has are kept. Empty: off.",
        kind=as_utm,
    ),
    Setting(
        "WECHAT_APP_ID",
        None,
        "A WeChat official account's AppID: with `WECHAT_APP_SECRET`, turns on "
        "`/api/v1/wechat/signature`, so pages embedding the widget get WeChat's own share card "
        "(title, summary, image) inside WeChat. Unset: off.",
    ),
    Setting(
        "WECHAT_APP_SECRET",
        None,
        "That account's AppSecret (never logged nor answered). Needed with `WECHAT_APP_ID`.",
    ),
    Setting(
        "WECHAT_API",
        "https://api.weixin.qq.com",
        "Base URL of WeChat's API for the access token and jsapi ticket (tests point it at a "
        "stand-in).",
        kind=as_url,
    ),
    Setting(
        "WECHAT_JSSDK_URL",
        "https://res.wx.qq.com/open/js/jweixin-1.6.0.js",
        "WeChat's JS-SDK script, loaded by the widget inside WeChat once a signature is granted "
        "(`/wechat-jssdk.js` redirects here; tests point it at a stub).",
        kind=as_url,
    ),
    Setting(
        "SHARE_TARGET_URLS",
        "",
        "Meant for tests and staging: a JSON object `{target: template}` pointing share "
        "targets (`weibo`, `qq`, `qzone`, `douban`, `x`, `facebook`, `linkedin`, `email`) at a "
        'stand-in instead of the real networks, e.g. `{"weibo": '
        '"http://127.0.0.1:9000/share?u={url}"}`; placeholders `{url}`, `{title}`, '
        "`{description}`, `{image}` (filled in URL-encoded); http(s) or mailto templates only. "
        "An unknown target or a malformed template stops start-up. Empty: the real networks.",
        kind=as_share_target_urls,
    ),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
