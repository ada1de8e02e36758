"""Which platform a user agent runs on, read with uap-core's maintained rules (`ua-parser`).

uap-core (the rules behind ua-parser in Python, Java, Go, JS...) names the operating system
and the device of a user agent; we only fold its OS families into our six PLATFORMS, and add
three things it does not do (each one a class of user agent, not a single string):

- a native app's ``App/1 CFNetwork/… Darwin/…`` says iOS to uap-core whatever the machine;
  the machine is a Mac when uap-core's device is a Mac model or the UA names an Intel
  architecture (``(x86_64)``), as macOS apps send it;
- a UA with no OS uap-core knows still says where it runs through its device (an iPhone, a
  Mac, a generic Android phone) or a token apps write themselves: ``Mac OS/10.15`` without the
  X, ``macOS``, WeChat's ``WindowsWechat``/``MacWechat``, Weibo's ``…_android``;
- Chrome OS and the BSDs count as "linux", the desktop Unix bucket.

`ua-parser-rs` (uap-core's Rust engine) makes one parse cost a few microseconds; without it
ua-parser falls back to Python's `re`, same answers, slower.
"""

from __future__ import annotations

import re
from functools import cache

from ua_parser import Domain
from ua_parser.core import Device

PLATFORMS = ("ios", "android", "windows", "macos", "linux", "other")
_NOT_A_MAKER = frozenset({None, "Generic", "Spider"})

_OS_PLATFORM = {
    "iOS": "ios",
    "iPadOS": "ios",
    "Mac OS X": "macos",
    "Mac OS": "macos",
    "macOS": "macos",
    "Android": "android",
    "Chromecast Android": "android",
    "Windows": "windows",
    "Windows Phone": "windows",
    "Windows Mobile": "windows",
    "Chrome OS": "linux",
    "Chromecast Linux": "linux",
    "Linux": "linux",
}
#: uap-core's Linux distributions and BSDs (named by the distribution, not "Linux").
_UNIX = re.compile(
    r"Linux|Ubuntu|Kubuntu|Lubuntu|Xubuntu|Debian|Fedora|Red Hat|CentOS|Gentoo|Mint"
    r"|Mandriva|openSUSE|SUSE|Slackware|PCLinuxOS|Mageia|Puppy|BackTrack|(?:Free|Open|Net)?BSD"
)
# A Mac model as uap-core's device names it: Mac, iMac, Macmini, MacBookPro16,1, MacPro…
_MAC_MODEL = re.compile(r"i?Mac", re.I)
# A Darwin (CFNetwork) UA of a Mac: an Intel architecture or a Mac model in a comment.
_MAC_DARWIN = re.compile(r"Darwin/\d.*\((?:x86_64|i386|(?:i?Mac|MacBook|Macmini)[\w%,]*)\)", re.I)
# Tokens that apps write for themselves where uap-core finds no OS; first hit wins.
# Case-insensitive, for UAs that a proxy or logger lower-cased (uap-core's rules are not).
_FALLBACK: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("windows", re.compile(r"windows phone", re.I)),
    ("ios", re.compile(r"\biOS\b|_ios_|__iphone__|iPhone|iPad|iPod", re.I)),
    ("android", re.compile(r"Android|\bAdr \d|Dalvik/", re.I)),
    ("windows", re.compile(r"Windows|\bWin(?:NT|32|64|98|95|CE)\b", re.I)),
    ("macos", re.compile(r"Macintosh|\bMac ?OS\b|MacWechat|Mac_PowerPC", re.I)),
    ("linux", re.compile(r"\bLinux\b|\bX11\b|\bCrOS\b", re.I)),
)


@cache
def _resolver():
    """uap-core's rules in the fastest engine installed (built once, ~0.2 s)."""
    import ua_parser

    if ua_parser.RegexResolver is not None:
        return ua_parser.RegexResolver(ua_parser.load_lazy_builtins())
    return ua_parser.BestAvailableResolver(ua_parser.load_builtins())


def os_family(user_agent: str) -> str | None:
    """uap-core's OS family of `user_agent` ("Mac OS X", "Android"...), None when unknown."""
    os = _resolver()(user_agent, Domain.OS).os
    return os.family if os is not None and os.family != "Other" else None


def device(user_agent: str) -> Device | None:
    """uap-core's device of `user_agent` (family, brand, model), None when unknown."""
    found = _resolver()(user_agent, Domain.DEVICE).device
    return found if found is not None and found.family != "Other" else None


def has_device(user_agent: str) -> bool:
    """uap-core reads an OS or a maker's device in `user_agent` (not its own "Spider", nor its
    "Generic Feature Phone" guess for any short token)."""
    if os_family(user_agent) is not None:
        return True
    found = device(user_agent)
    return found is not None and found.brand not in _NOT_A_MAKER


def _apple_device(device: Device | None) -> str | None:
    if device is None or device.brand != "Apple":
        return None
    model = device.model or device.family
    if _MAC_MODEL.match(model):
        return "macos"
    if model.startswith(("iPhone", "iPad", "iPod")):
        return "ios"
    return None


def _mac_darwin(user_agent: str) -> bool:
    """A CFNetwork native-app UA (uap-core: iOS) sent from a Mac: Mac model or Intel arch."""
    if "Darwin/" not in user_agent or "iP" in user_agent:
        return False
    return (
        _MAC_DARWIN.search(user_agent) is not None or _apple_device(device(user_agent)) == "macos"
    )


def platform(user_agent: str) -> str:
    """One of PLATFORMS for `user_agent`."""
    if user_agent == user_agent.lower():
        # Lower-cased on the way (no capital left): uap-core's rules would misread it.
        return _fallback(user_agent)
    os = os_family(user_agent)
    if os == "iOS" and _mac_darwin(user_agent):
        return "macos"
    if os is not None:
        if found := _OS_PLATFORM.get(os):
            return found
        if os.startswith("Windows"):
            return "windows"
        return "linux" if _UNIX.search(os) else "other"
    if (named := _fallback(user_agent)) != "other":
        return named
    found = device(user_agent)  # last: the slowest part of uap-core
    if apple := _apple_device(found):
        return apple
    if found is not None and (found.brand or "").startswith("Generic_Android"):
        return "android"
    return "other"


def _fallback(user_agent: str) -> str:
    found = next((name for name, rx in _FALLBACK if rx.search(user_agent)), None)
    if found is None and "darwin/" in user_agent.lower():
        return "macos" if _MAC_DARWIN.search(user_agent) else "ios"
    return found or "other"
