"""Fetch-or-abort helpers shared by the views."""

from __future__ import annotations

from flask import abort, current_app

from share import services
from share.links import service as links

from ..db import get_engine
from .errors import ApiError


def get_link_or_404(code: str, *, api: bool = False) -> links.Link:
    """The link for ``code``; aborts with 404 if unknown, 410 if deleted (JSON when ``api``)."""
    link = links.get(get_engine(), code)
    if link is None:
        if links.was_deleted(get_engine(), code):
            if api:
                raise ApiError(410, "gone", f"The link {code!r} has been deleted.")
            abort(410, description="This short link has been deleted.")
        if api:
            raise ApiError(404, "not_found", f"No link has the code {code!r}.")
        abort(404, description="This short link does not exist.")
    return link


def counted_engine():
    """The engine, after spooled scans are ingested, so a reader counts the latest scans.

    Ingestion runs within a second anyway; where the workers ingest (no
    dedicated ``flask ingest``), this makes an editor who scans and reloads see
    the scan at once. With a dedicated ingester it does not wait (that
    process ingests every 0.25 s). If the spool cannot be ingested now (the
    database is busy or down), the counts come from what is stored.
    """
    redirector = services.current().redirector
    if redirector is not None:
        try:
            redirector.flush(timeout=2.0)
        except Exception as exc:  # noqa: BLE001 - counting what is stored beats failing the page
            current_app.logger.warning("counting without the latest scans: %s", type(exc).__name__)
    return get_engine()
