"""The share card route: ``/card/<code>.png|.jpg|.webp``.

Parse the query into :class:`CardOptions` (400 naming the parameter), find
the link (404), then serve the cached card or render it once: the thumbnail
is fetched lazily here, through the safe fetcher, only when a card is first
drawn for this version of the link's metadata.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request

from .. import cards
from ..cards.store import CardStore
from ..fetch import FetchError, FetchPolicy, fetch
from ..metadata import guess_lang
from ..options import OptionError
from .errors import ApiError
from .lookup import get_link_or_404
from .publicurl import public_url

bp = Blueprint("cards", __name__)
log = logging.getLogger("share.cards")
# Metadata can change under the same URL: revalidate (cheaply, by ETag) after a while.
CACHE_CONTROL = "public, max-age=600"


def _store() -> CardStore:
    store = current_app.extensions.get("share.card_store")
    if store is None:
        store = CardStore(Path(current_app.instance_path) / "cards")
        current_app.extensions["share.card_store"] = store
    return store


def _thumbnail(url: str | None) -> bytes | None:
    """The article image's bytes, or None: a failed fetch means the placeholder, never a 500."""
    if not url:
        return None
    try:
        policy = current_app.extensions.get("share.fetch_policy")
        if policy is None:
            policy = FetchPolicy.from_config(current_app.config)
        return fetch(url, policy, kind="image").content
    except FetchError as exc:
        log.info("card thumbnail not fetched (%s): %s", exc.reason, url)
    except Exception:
        log.exception("card thumbnail fetch failed: %s", url)
    return None


@bp.get("/card/<code>.<any(png, jpg, webp):fmt>")
def card(code: str, fmt: str):
    """The share card of a link, QR placement ``card``."""
    try:
        opts = cards.CardOptions.from_query(request.args, fmt)
    except OptionError as exc:
        raise ApiError(400, f"invalid_{exc.param}", str(exc)) from exc
    link = get_link_or_404(code)
    if link.disabled:
        abort(410, description="This short link has been disabled.")
    # An article we could not fetch has no language: judge by its title then.
    lang = opts.language(link.lang or guess_lang(link.title, link.description))
    qr_text = f"{public_url()}/s/{link.code}?src=card"
    store = _store()
    name = store.name(
        link.id, link.meta_version, cards.RENDERER_VERSION, opts.layout, lang, qr_text, fmt
    )
    tag = store.etag(name)
    headers = {"Cache-Control": CACHE_CONTROL}
    if tag is not None and request.if_none_match.contains(tag):
        return Response(status=304, headers={**headers, "ETag": f'"{tag}"'})
    cached = store.get(name) if tag is not None else None
    if cached is None:
        body = _render(link, opts, fmt, lang, qr_text)
        tag = store.put(name, body)
    else:
        body, tag = cached
    headers["ETag"] = f'"{tag}"'
    if request.if_none_match.contains(tag):
        return Response(status=304, headers=headers)
    return Response(body, mimetype=cards.FORMATS[fmt].mimetype, headers=headers)


def _render(link, opts: cards.CardOptions, fmt: str, lang: str, qr_text: str) -> bytes:
    host = urlsplit(link.url).hostname or ""
    content = cards.CardContent(
        site_name=link.site_name or host.removeprefix("www."),
        title=link.title or link.url,
        description=link.description,
        thumbnail=_thumbnail(link.image),
        lang=lang,
        qr_text=qr_text,
        host=host,
    )
    return cards.render_card_bytes(content, cards.CardOptions(opts.layout, fmt, lang))
