"""Fetch-or-abort helpers shared by the views."""

from __future__ import annotations

from flask import abort

from share.links import service as links

from ..db import get_engine
from .errors import ApiError


def get_link_or_404(code: str, *, api: bool = False) -> links.Link:
    """The link for ``code``; aborts with 404 (JSON error when ``api``) if unknown."""
    link = links.get(get_engine(), code)
    if link is None:
        if api:
            raise ApiError(404, "not_found", f"No link has the code {code!r}.")
        abort(404, description="This short link does not exist.")
    return link
