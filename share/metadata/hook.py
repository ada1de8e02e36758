"""Metadata for stored links: fetched when a link is created and on refresh.

Plain Python: the app puts ``link_hook(policy)`` where ``links.create`` looks
for its ``on_created`` hook, and the API and CLI call ``refresh``.
"""

from __future__ import annotations

from sqlalchemy import Engine

from share.links import service as links

from ..fetch import FetchPolicy
from . import fetch_article


def link_hook(policy: FetchPolicy):
    """An ``on_created`` hook: fetch within ``policy.deadline``, store, never raise."""

    def on_created(engine: Engine, link: links.Link) -> links.Link:
        return refresh(engine, link.code, policy) or link

    return on_created


def refresh(engine: Engine, code: str, policy: FetchPolicy) -> links.Link | None:
    """Fetch the link's article again; None when there is no such link."""
    link = links.get(engine, code)
    if link is None:
        return None
    return links.apply_metadata(engine, code, fetch_article(link.url, policy))
