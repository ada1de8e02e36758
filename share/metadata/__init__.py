"""Article metadata (title, summary, image, site, language) read from the page itself.

`extract()` is pure: bytes in, ArticleMeta out, so every corpus page can be
checked without a network. `fetch_article()` adds the safe fetcher and never
raises: a link must be registrable even when its page cannot be read.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from share.metadata.charset import decode

from ..fetch import FetchError, FetchPolicy, fetch
from . import byline
from .images import absolute_url as _url
from .images import first_large_image
from .wechat import wechat_fields

TITLE_MAX, DESCRIPTION_MAX, NAME_MAX = 300, 1000, 100
SEPARATORS = r"\s*(?:[|\-–—_·•:»]|::)\s*"
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class ArticleMeta:
    """What a share card and the link JSON need; None where the page says nothing."""

    title: str | None = None
    description: str | None = None
    image: str | None = None
    site_name: str | None = None
    lang: str | None = None
    canonical_url: str | None = None
    fetch_error: str | None = None
    published_at: datetime | None = None  # aware UTC (share.metadata.byline)
    author: str | None = None


def fetch_article(url: str, policy: FetchPolicy) -> ArticleMeta:
    """Fetch and extract; failures come back as ArticleMeta(fetch_error=reason)."""
    try:
        result = fetch(url, policy, kind="html")
    except FetchError as exc:
        return ArticleMeta(site_name=_host(url), fetch_error=exc.reason)
    except Exception:  # noqa: BLE001 - registration must survive any fetch bug
        return ArticleMeta(site_name=_host(url), fetch_error="fetch_failed")
    if result.content_type.split(";")[0].strip().lower().startswith("image/"):
        return ArticleMeta(image=_url(result.url, result.url), site_name=_host(result.url))
    return extract(result.content, result.url, result.content_type)


_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def extract(content: bytes, url: str, content_type: str | None = None) -> ArticleMeta:
    """Metadata of an HTML document fetched from `url` (used to resolve relative URLs)."""
    text, _encoding = decode(content, content_type)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text.replace("\x00", ""))
    try:
        # Bytes with a fixed encoding: lxml checks str input for an encoding
        # declaration with a regex that is quadratic on "<?xml " + spaces.
        doc = lxml.html.document_fromstring(
            (text or "<html></html>").encode("utf-8"), parser=_PARSER
        )
    except (etree.ParserError, ValueError):
        return ArticleMeta(site_name=_host(url))
    base = _url(url, _first(doc.xpath("//base/@href")) or "") or url
    metas = _metas(doc)
    wechat = wechat_fields(text) if _host(url) == "mp.weixin.qq.com" else {}

    site_name = _clean(_pick(metas, "og:site_name", "application-name"), NAME_MAX)
    title = _pick(wechat, "title") or _pick(metas, "og:title", "twitter:title")
    title = _strip_site(_clean(title), site_name) if title else _title_from_head(doc)
    description = _pick(wechat, "description") or _pick(
        metas, "og:description", "twitter:description", "description"
    )
    images = [
        wechat.get("image"),
        *(metas.get(k) for k in ("og:image:secure_url", "og:image", "og:image:url")),
        *(metas.get(k) for k in ("twitter:image", "twitter:image:src")),
        *doc.xpath(
            "//link[contains(concat(' ', normalize-space(@rel), ' '), ' image_src ')]/@href"
        ),
    ]
    image = next((u for u in (_url(base, i) for i in images if i) if u), None)
    canonical = _first(
        doc.xpath("//link[translate(@rel,'CANONICAL','canonical')='canonical']/@href")
    )
    ld = byline.json_ld([s.text or "" for s in doc.iter("script") if _is_json_ld(s.get("type"))])
    return ArticleMeta(
        title=_clean(title, TITLE_MAX),
        description=_clean(description, DESCRIPTION_MAX) or _first_paragraph(doc),
        image=image or first_large_image(doc, base),
        site_name=site_name or _host(url),
        lang=_lang(doc, metas, title, description),
        canonical_url=_url(base, canonical or metas.get("og:url") or ""),
        published_at=byline.published_at(metas, ld),
        author=_clean(byline.author(metas, ld), NAME_MAX),
    )


def _is_json_ld(script_type: str | None) -> bool:
    return (script_type or "").split(";")[0].strip().lower() == "application/ld+json"


def _metas(doc) -> dict[str, str]:
    """First non-empty content per lowercased meta property/name/itemprop/http-equiv."""
    found: dict[str, str] = {}
    for meta in doc.iter("meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = (meta.get(attr) or "").strip().lower()
            if key and key not in found:
                found[key] = content
    return found


def _pick(values: dict, *keys: str) -> str | None:
    return next((values[k] for k in keys if values.get(k) and _clean(values[k])), None)


def _first(items) -> str | None:
    return str(items[0]).strip() if items else None


def _clean(value: str | None, limit: int | None = None) -> str | None:
    """Entities unescaped (twice-escaped ones too), whitespace folded, length capped."""
    if not value:
        return None
    value = html.unescape(value) if "&" in value else value
    value = " ".join(value.split())
    if limit and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value or None


def _strip_site(title: str | None, site_name: str | None) -> str | None:
    """'Good title | TechCrunch' → 'Good title' when the page names its site."""
    if not title or not site_name:
        return title
    name = re.escape(site_name)
    stripped = re.sub(rf"^{name}{SEPARATORS}|{SEPARATORS}{name}$", "", title, flags=re.I)
    return stripped or title


def _title_from_head(doc) -> str | None:
    """<title>, cut down to the first <h1> when the <title> is 'h1 - section - site'."""
    title = _clean(_first([t.text_content() for t in doc.iter("title")]))
    h1 = _clean(_first([h.text_content() for h in doc.iter("h1")]))
    if not title:
        return h1
    if h1 and re.match(rf"{re.escape(h1)}{SEPARATORS}\S", title):
        return h1
    return title


def _first_paragraph(doc) -> str | None:
    for p in doc.iter("p"):
        text = _clean(p.text_content())
        if text and len(text) >= (30 if CJK.search(text) else 80):
            return _clean(text, DESCRIPTION_MAX)
    return None


def _lang(doc, metas, *texts) -> str | None:
    """<html lang> → og:locale → content-language → CJK share of the text; 'zh-CN' → 'zh'."""
    root = doc.getroottree().getroot()
    for raw in (
        root.get("lang"),
        root.get("{http://www.w3.org/XML/1998/namespace}lang"),
        root.get("xml:lang"),
        metas.get("og:locale"),
        metas.get("content-language"),
    ):
        code = re.split(r"[-_,;\s]", (raw or "").strip().lower())[0]
        if re.fullmatch(r"[a-z]{2,3}", code):
            return code
    words = doc.xpath("//body//text()[not(ancestor::script or ancestor::style)]")
    return guess_lang(*texts, " ".join(words)[:3000])


def guess_lang(*texts: str | None) -> str | None:
    """The language of plain text by its script: ``ja``, ``zh``, ``en``, or None if no letters."""
    sample = " ".join(t for t in texts if t)
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    if re.search(r"[\u3040-\u30ff]", sample):
        return "ja"
    cjk = sum(1 for c in letters if CJK.match(c))
    return "zh" if cjk / len(letters) >= 0.3 else "en"


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname or None
    except ValueError:
        return None
