"""A stored link's card: which file it is, and drawing it from the link.

The web route only asks :func:`plan` for the cache name (to answer a 304
without drawing) and calls :func:`draw` on a miss; fetching the thumbnail
through the safe fetcher and choosing the caption language happen here,
in plain Python.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

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


def plan(link: Link, options: CardOptions, public_url: str) -> CardPlan:
    """The card of ``link`` as ``options`` ask, its QR opening the short link (``src=card``)."""
    # An article we could not fetch has no language: judge by its title then.
    lang = options.language(link.lang or guess_lang(link.title, link.description))
    qr_text = short_url(public_url, link.code, "card")
    name = CardStore.name(
        link.id, link.meta_version, RENDERER_VERSION, options.layout, lang, qr_text, options.fmt
    )
    return CardPlan(name, CardOptions(options.layout, options.fmt, lang), qr_text)


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
