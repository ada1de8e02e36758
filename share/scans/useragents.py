"""What app and platform a user agent comes from, and whether it is a bot — cached by string.

The client names are the share targets editors care about: a scan from inside WeChat, WeCom
(企业微信), QQ, Weibo, Alipay or DingTalk, any other real browser ("browser"), or nothing we
recognise ("other"). Tencent's QQ *Browser* (``QQBrowser``/``MQQBrowser`` without a ``QQ/``
token) is a standalone browser, not the QQ chat app, so it is "browser"; the QQ app's own web
view carries ``QQ/<version>`` (and ``V1_AND_SQ``/``V1_IPH_SQ``) next to its TBS/MQQBrowser engine.

Order matters: WeChat's Android web view also says ``MQQBrowser``, WeCom also says
``MicroMessenger``, and Windows WeChat also says ``QQBrowser``.

The platform is uap-core's reading of the OS (see share/scans/platforms.py), not our own regexes.

Every redirect classifies its user agent, so results are kept in a bounded LRU cache keyed by
the (length-capped) string: warm lookups cost well under a microsecond.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from share.scans import platforms
from share.scans.bots import bot_reason

#: Longest user agent we look at; longer ones are cut before classifying (and caching).
CLASSIFY_LIMIT = 2048

CLIENTS = ("wechat", "wecom", "qq", "weibo", "alipay", "dingtalk", "browser", "other")
PLATFORMS = platforms.PLATFORMS

_CLIENT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("wecom", re.compile(r"wxwork(?:local)?/", re.I)),
    ("wechat", re.compile(r"MicroMessenger|WindowsWechat|MacWechat|(?<![A-Za-z])WeChat/\d", re.I)),
    ("dingtalk", re.compile(r"DingTalk", re.I)),
    ("alipay", re.compile(r"AlipayClient|AliApp\(AP/", re.I)),
    ("weibo", re.compile(r"weibo", re.I)),
    ("qq", re.compile(r"(?<![A-Za-z])(?:IPad)?QQ/\d|V1_(?:AND|IPH|IPD)_SQ_")),
    (
        "browser",
        re.compile(
            r"^(?:Mozilla|Opera|Lynx|Links|ELinks|w3m|NCSA_Mosaic|AmigaVoyager)/"
            r"|Chrome/|Safari/|Firefox/|MSIE |Trident/|Edg[eA]?/|Opera|Presto/|UCBrowser|UCWEB"
            r"|QQBrowser|baidubrowser|baiduboxapp|MiuiBrowser|HuaweiBrowser|Quark/|NetFront",
            re.I,
        ),
    ),
)


class UAInfo(NamedTuple):
    """Everything we derive from one user-agent string."""

    client: str
    platform: str
    is_bot: bool
    bot_reason: str | None


def _first(rules: tuple[tuple[str, re.Pattern[str]], ...], ua: str) -> str:
    return next((name for name, rx in rules if rx.search(ua)), "other")


@lru_cache(maxsize=4096)
def _classify(ua: str) -> UAInfo:
    reason = bot_reason(ua)
    return UAInfo(_first(_CLIENT_RULES, ua), platforms.platform(ua), reason is not None, reason)


def classify(user_agent: str | None) -> UAInfo:
    """Client, platform and bot verdict of `user_agent` (None or '' is an unknown bot)."""
    return _classify((user_agent or "")[:CLASSIFY_LIMIT])


def classify_client(user_agent: str | None) -> str:
    """One of CLIENTS: the in-app browser the scan came from, "browser" or "other"."""
    return classify(user_agent).client


def classify_platform(user_agent: str | None) -> str:
    """One of PLATFORMS."""
    return classify(user_agent).platform


def is_bot(user_agent: str | None) -> bool:
    """True for crawlers, link-preview fetchers, CLI clients, headless browsers and empty UAs."""
    return classify(user_agent).is_bot


_WARM_UP = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "curl/8.5.0",
)


def warm_up() -> None:
    """Build the rule sets now (~0.15 s once per process), not on a reader's first scan.

    Called when the app is created, so a worker's first redirects do not wait
    for uap-core's and crawlerdetect's rules; the cache is left empty.
    """
    for ua in _WARM_UP:
        _classify.__wrapped__(ua)


def cache_clear() -> None:
    """Forget cached verdicts (benchmarks measure cold lookups with it)."""
    _classify.cache_clear()
