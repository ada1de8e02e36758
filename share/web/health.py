"""``/healthz`` and ``/robots.txt``."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from share import services

from ..db import get_engine, ping

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 while scans reach the database, else 503, with the spool's backlog.

    ``lost_scans`` counts this worker's scans stored nowhere. A database that
    does not answer is a 503 only once spooled scans have waited longer than
    ``SPOOL_MAX_AGE`` (or at once without a spool): until then every scan is
    safe in the spool and readers are still redirected.
    """
    redirector = services.current().redirector
    body: dict = {"status": "ok", "lost_scans": redirector.lost if redirector else 0}
    database = ping(get_engine())
    body["database"] = "ok" if database else "unavailable"
    backlog = redirector.backlog() if redirector is not None else None
    if backlog is not None:
        body["spool"] = {
            "records": backlog.records,
            "bytes": backlog.bytes,
            "oldest_age_seconds": None
            if backlog.oldest_age is None
            else round(backlog.oldest_age, 3),
            "estimated": backlog.estimated,
        }
    too_old = (
        backlog is not None and (backlog.oldest_age or 0) > current_app.config["SPOOL_MAX_AGE"]
    )
    if (not database and redirector is not None and redirector.spool is None) or too_old:
        body["status"] = "unavailable"
        body["message"] = (
            "Spooled scans are waiting too long for the database."
            if too_old
            else "The database does not answer."
        )
        return jsonify(body), 503
    return jsonify(body)


@bp.get("/robots.txt")
def robots():
    """Keep crawlers off short links (each visit would record a scan), the dashboard and the API."""
    body = "User-agent: *\nDisallow: /s/\nDisallow: /admin/\nDisallow: /api/\n"
    return Response(body, mimetype="text/plain")
