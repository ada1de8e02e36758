"""Creating links: one URL, or a pasted list of up to 1,000.

The list form works without script (one request, a result table); with
``static/admin/admin.js`` the browser sends it in chunks to ``import.json``
and shows a progress bar, so a long list with metadata fetches never hits a
proxy timeout.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for

from share import services
from share.links import importing as linkimport
from share.links import service as links
from share.links.urls import InvalidURL

from ...db import get_engine
from .blueprint import bp
from .i18n import t

CHUNK = 20


def _hook():
    return services.current().on_created


@bp.get("/links/new")
def new_links():
    """The creation form; ``max_lines`` and ``chunk`` tell admin.js how to split a long list."""
    return render_template(
        "admin/new.html", results=None, counts=None, max_lines=linkimport.MAX_LINES, chunk=CHUNK
    )


@bp.post("/links")
def create_link():
    """Register one URL and open its page (the existing link's when the URL already has one)."""
    url = request.form.get("url", "").strip()
    try:
        link, created = links.create(get_engine(), url, on_created=_hook())
    except (InvalidURL, links.LinkError) as exc:
        flash(t("Refused: {reason}", reason=str(exc)), "error")
        return redirect(url_for("admin.new_links"))
    flash(t("Link created.") if created else t("This article already had a link."), "ok")
    return redirect(url_for("admin.article", code=link.code))


def _lines():
    lines = linkimport.parse_lines(request.form.get("urls", ""))
    if len(lines) > linkimport.MAX_LINES:
        return None
    return lines


@bp.post("/links/import")
def import_links():
    """The import without script: the whole list in one request, answered with a result table."""
    lines = _lines()
    if lines is None:
        flash(t("Paste at most {n} URLs at a time.", n=linkimport.MAX_LINES), "error")
        return redirect(url_for("admin.new_links"))
    results = list(linkimport.import_lines(get_engine(), lines, _hook()))
    return render_template(
        "admin/new.html",
        results=results,
        counts=linkimport.summary(results),
        max_lines=linkimport.MAX_LINES,
        chunk=CHUNK,
    )


@bp.post("/links/import.json")
def import_links_json():
    """One chunk of a pasted list (``urls`` with original line numbers in ``first_line``)."""
    lines = _lines()
    if lines is None or len(lines) > CHUNK:
        return jsonify(error={"code": "too_many", "message": f"Send at most {CHUNK} lines."}), 400
    offset = request.form.get("first_line", "1")
    shift = int(offset) - 1 if offset.isascii() and offset.isdigit() else 0
    results = linkimport.import_lines(get_engine(), [(n + shift, u) for n, u in lines], _hook())
    return jsonify(results=[r.to_json() for r in results])
