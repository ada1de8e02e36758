"""A stored link's card: which file it is, and drawing it from the link.

The web route only asks :func:`plan` for the cache name (to answer a 304
without drawing) and calls :func:`draw` on a miss; fetching the thumbnail
through the safe fetcher and choosing the caption language happen here,
in plain Python.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from share import clock
from share.links.service import Link, short_url

from ..fetch import FetchError, FetchPolicy, fetch
from ..metadata import guess_lang
from . import RENDERER_VERSION, CardContent, CardOptions, render_card_bytes
from .store import CardStore

log = logging.getLogger("share.cards")


@dataclass(frozen=True)
class CardPlan:
    """What :func:`draw` needs, decided without drawing so a cached card can answer a 304."""

    name: str  # the cache file name: everything that changes the bytes
    options: CardOptions  # with the language decided
    qr_text: str
    short_url: str = ""  # printed under the QR: the short link without scheme or placement
    published: date | None = None  # the article's day in the display zone


def printed_url(url: str) -> str:
    """``https://s.example.com/s/Ab3`` → ``s.example.com/s/Ab3``: what a person types."""
    return url.split("://", 1)[-1]


def plan(link: Link, options: CardOptions, public_url: str, tz: ZoneInfo | None = None) -> CardPlan:
    """The card of ``link`` as ``options`` ask, its QR opening the short link (``src=card``).

    ``tz`` is the display zone: the publish date printed is the article's day there.
    """
    # An article we could not fetch has no language: judge by its title then.
    lang = options.language(link.lang or guess_lang(link.title, link.description))
    qr_text = short_url(public_url, link.code, "card")
    published = (
        clock.local_day(link.published_at, tz or clock.zone(None)) if link.published_at else None
    )
    # The printed date depends on the zone too: it joins the hashed QR text in the name.
    keyed = f"{qr_text}\n{published or ''}"
    name = CardStore.name(
        link.id, link.meta_version, RENDERER_VERSION, options.layout, lang, keyed, options.fmt
    )
    return CardPlan(
        name,
        CardOptions(options.layout, options.fmt, lang),
        qr_text,
        printed_url(short_url(public_url, link.code)),
        published,
    )


def draw(link: Link, card: CardPlan, policy: FetchPolicy) -> bytes:
    """Render the planned card; the thumbnail is fetched now (a failure means the placeholder)."""
    host = urlsplit(link.url).hostname or ""
    content = CardContent(
        site_name=link.site_name or host.removeprefix("www."),
        title=link.title or link.url,
        description=link.description,
        thumbnail=_thumbnail(link.image, policy),
        lang=card.options.lang,
        qr_text=card.qr_text,
        host=host,
        short_url=card.short_url,
        published=card.published,
        author=link.author,
    )
    return render_card_bytes(content, card.options)


def _thumbnail(url: str | None, policy: FetchPolicy) -> bytes | None:
    if not url:
        return None
    try:
        return fetch(url, policy, kind="image").content
    except FetchError as exc:
        log.info("card thumbnail not fetched (%s): %s", exc.reason, url)
    except Exception:
        log.exception("card thumbnail fetch failed: %s", url)
    return None
