"""Choosing an article image from <img> tags when the page declares none.

Pages are full of images that would make a poor card: tracking pixels,
spacers, logos, QR codes, and lazy-load placeholders whose real URL hides in
a data-* attribute. Images inside the article body are preferred over
sidebars, which often come first in the markup.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

URL_MAX = 2048
MIN_SIDE = 100  # px; smaller declared sizes are icons, pixels, avatars
LAZY_ATTRS = (
    "data-src",
    "data-original",
    "data-lazy-src",
    "data-actualsrc",
    "data-url",
    "data-echo",
    "data-lazyload",
    "data-original-src",
    "data-hi-res-src",
    "lazy-src",
    "original",
    "file",
)
NOT_CONTENT = re.compile(
    r"(?:^|[/_.\-])(?:1x1|pixel|spacer|space|blank|transparent|tracking|tracker|beacon|analytics|"
    r"counter|logo|icon|favicon|avatar|qrcode|qr|ewm|sprite|emoji|loading|placeholder|grey|"
    r"gray|ads?|banner|button|btn|share)(?:[/_.\-]|$)|\.svg(?:$|\?)",
    re.I,
)
BODY_XPATH = (
    "//article | //*[@itemprop='articleBody'] | //*[contains(concat(' ', normalize-space(@class),"
    " ' '), ' article') or contains(@class, 'content') or contains(@class, 'detail')"
    " or contains(@class, 'post') or contains(@class, 'entry') or contains(@id, 'article')"
    " or contains(@id, 'content') or contains(@id, 'detail')]"
)


def absolute_url(base: str, value: str | None) -> str | None:
    """Absolute http(s) URL of `value` against `base`, or None (data:, javascript:, too long)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        absolute = urljoin(base, html.unescape(value))
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https") or len(absolute) > URL_MAX:
        return None
    return absolute


def first_large_image(doc, base: str) -> str | None:
    """The first plausible content image, article body first, then the whole page."""
    for scope in (doc.xpath(BODY_XPATH), [doc]):
        for element in scope:
            for img in element.iter("img"):
                url = _image_url(img, base)
                if url:
                    return url
    return None


def _image_url(img, base: str) -> str | None:
    if any(
        _size(img.get(side)) is not None and _size(img.get(side)) < MIN_SIDE
        for side in ("width", "height")
    ):
        return None
    if (img.get("aria-hidden") or "").lower() == "true" or img.get("hidden") is not None:
        return None
    candidates = [img.get(a) for a in LAZY_ATTRS]
    candidates.append(_largest_srcset(img.get("data-srcset") or img.get("srcset")))
    candidates.append(img.get("src"))
    for raw in candidates:
        url = absolute_url(base, raw)
        if url and not NOT_CONTENT.search(urlsplit(url).path + "?"):
            return url
    return None


def _size(value: str | None) -> int | None:
    match = re.match(r"\s*(\d+)\s*(?:px)?\s*$", value or "")
    return int(match.group(1)) if match else None


def _largest_srcset(srcset: str | None) -> str | None:
    """The widest candidate of a srcset ('a.jpg 480w, b.jpg 1080w' → 'b.jpg')."""
    best, best_w = None, -1.0
    for part in (srcset or "").split(","):
        bits = part.split()
        if not bits:
            continue
        width = 1.0
        if len(bits) > 1 and re.fullmatch(r"[\d.]+[wx]", bits[1]):
            width = float(bits[1][:-1])
        if width > best_w:
            best, best_w = bits[0], width
    return best
