"""The dashboard's two languages and its time zone.

Strings are written in English in the templates (``t("Scans")``) and looked
up here for Chinese; a missing entry shows the English text, and a test
lists every ``t()`` call without a translation. The language comes from the
header switch (kept in the session), else from ``Accept-Language``.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request, session

from ... import clock
from ..errors import page_lang
from .strings import ZH

LANGS = ("zh", "en")


def lang() -> str:
    """``zh`` or ``en``: the header switch's choice (kept in the session), else Accept-Language."""
    chosen = session.get("lang")
    if chosen in LANGS:
        return chosen
    return page_lang()


def t(text: str, **values) -> str:
    """``text`` in the admin's language; ``{name}`` placeholders filled from ``values``."""
    out = ZH.get(text, text) if lang() == "zh" else text
    return out.format(**values) if values else out


def timezone() -> ZoneInfo:
    """The configured display zone (checked at start-up, see ``share.settings``)."""
    return current_app.config["TIMEZONE"]


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored naive-UTC time shown in the admin's zone."""
    if moment is None:
        return "—"
    return clock.local(moment, timezone()).strftime(fmt)


def safe_image(url: str | None) -> str | None:
    """An image URL a page may load: ``http(s)`` only (no ``javascript:``/``data:``)."""
    if not url or urlsplit(url.strip()).scheme.lower() not in ("http", "https"):
        return None
    return url


def safe_next(raw: str | None, default: str) -> str:
    """``raw`` when it is a path on this site under ``/admin``, else ``default``.

    Browsers read ``//host``, ``/\\host`` and paths with tabs or newlines as
    other origins, so anything but a plain local path is refused.
    """
    if not raw or not raw.startswith("/admin") or "\\" in raw:
        return default
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in raw):
        return default
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin"):
        return default
    return raw


#: Display names of the keys scans are broken down by (clients, platforms, placements and
#: share targets); a key not here (a publisher's own ``src``) is shown as it is.
KEY_NAMES = {
    "wechat": "WeChat",
    "wecom": "WeCom",
    "qq": "QQ",
    "weibo": "Weibo",
    "alipay": "Alipay",
    "dingtalk": "DingTalk",
    "browser": "Browser",
    "other": "Other",
    "ios": "iOS",
    "android": "Android",
    "windows": "Windows",
    "macos": "macOS",
    "linux": "Linux",
    "link": "Plain link",
    "widget": "Widget popup",
    "card": "Share card",
    "print": "Print",
    "copy": "Copied link",
    "native": "System share",
    "qzone": "Qzone",
    "douban": "Douban",
    "x": "X",
    "facebook": "Facebook",
    "linkedin": "LinkedIn",
    "email": "Email",
}


def key_name(key: str) -> str:
    """A breakdown key (``wechat``, ``ios``, ``print``…) as the admin reads it, in their language."""
    name = KEY_NAMES.get(key)
    return t(name) if name is not None else key


def init_app(app: Flask) -> None:
    """The ``local``, ``safe_image`` and ``key_name`` filters; ``t``, ``lang`` and ``tzname``."""
    app.jinja_env.filters["local"] = local_time
    app.jinja_env.filters["safe_image"] = safe_image
    app.jinja_env.filters["key_name"] = key_name

    @app.context_processor
    def _admin_context():
        if not request.blueprint or request.blueprint != "admin":
            return {}
        return {"t": t, "lang": lang(), "tzname": timezone().key}
