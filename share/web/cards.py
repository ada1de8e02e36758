"""The share card route: ``/card/<code>.png|.jpg|.webp``.

Parse the query into :class:`CardOptions` (400 naming the parameter), find
the link (404), then serve the cached card or have :mod:`share.cards.forlink`
draw it once per version of the link's metadata.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from share import services

from .. import cards
from ..cards import forlink
from ..cards.store import CardStore
from .lookup import get_link_or_404
from .publicurl import public_url

bp = Blueprint("cards", __name__)
# Metadata can change under the same URL: revalidate (cheaply, by ETag) after a while.
CACHE_CONTROL = "public, max-age=600"


def _store() -> CardStore:
    return services.current().card_store


@bp.get("/card/<code>.<any(png, jpg, webp):fmt>")
def card(code: str, fmt: str):
    """The share card of a link, QR placement ``card``."""
    opts = cards.CardOptions.from_query(request.args, fmt)
    link = get_link_or_404(code)
    if link.disabled:
        abort(410, description="This short link has been disabled.")
    planned = forlink.plan(link, opts, public_url(), current_app.config["TIMEZONE"])
    store = _store()
    tag = store.etag(planned.name)
    headers = {"Cache-Control": CACHE_CONTROL}
    if tag is not None and request.if_none_match.contains(tag):
        return Response(status=304, headers={**headers, "ETag": f'"{tag}"'})
    cached = store.get(planned.name) if tag is not None else None
    if cached is None:
        body = forlink.draw(link, planned, services.current().fetch_policy)
        tag = store.put(planned.name, body)
    else:
        body, tag = cached
    headers["ETag"] = f'"{tag}"'
    return Response(body, mimetype=cards.FORMATS[fmt].mimetype, headers=headers)
