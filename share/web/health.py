"""``/healthz`` and ``/robots.txt``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from share import services

from ..db import get_engine, ping

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 while the database answers, else 503; ``lost_scans``: this worker's unrecorded scans."""
    redirector = services.current().redirector
    lost = redirector.lost if redirector else 0
    if ping(get_engine()):
        return jsonify(status="ok", lost_scans=lost)
    return jsonify(
        status="unavailable", lost_scans=lost, message="The database does not answer."
    ), 503


@bp.get("/robots.txt")
def robots():
    """Keep crawlers off short links (each visit would record a scan), the dashboard and the API."""
    body = "User-agent: *\nDisallow: /s/\nDisallow: /admin/\nDisallow: /api/\n"
    return Response(body, mimetype="text/plain")
