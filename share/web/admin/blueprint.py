"""The dashboard's blueprint and the guard every one of its views runs behind.

One guard (:func:`_require_login`) runs before every view of the blueprint,
so a new route is protected the moment it exists; only the endpoints in
:data:`PUBLIC` (the login form and the language switch) skip it. Every answer
carries the headers that keep the dashboard out of frames and scripts from
elsewhere.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, redirect, request, session, url_for

from share.access import admins

from ...db import get_engine

bp = Blueprint("admin", __name__, url_prefix="/admin")
PUBLIC = {"admin.login", "admin.set_lang"}

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def wants_json_twin() -> bool:
    """True for a page's ``.json`` twin: the login guard answers it with a 401, not a redirect."""
    return request.path.endswith(".json")


@bp.before_request
def _require_login():
    g.admin = None
    admin_id = session.get("admin_id")
    if admin_id is not None:
        g.admin = admins.get(get_engine(), admin_id, session.get("admin_key"))
        if g.admin is None:  # account deleted, or its password reset, since the session began
            session.pop("admin_id", None)
            session.pop("admin_key", None)
    if g.admin is None and request.endpoint not in PUBLIC:
        if wants_json_twin():
            return jsonify(error={"code": "login_required", "message": "Log in first."}), 401
        target = request.full_path if request.method == "GET" else request.path
        return redirect(url_for("admin.login", next=target.rstrip("?")))
    return None


@bp.after_request
def _security_headers(response):
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.app_template_global()
def admin_static(name: str) -> str:
    """Template global: the URL of a dashboard asset under ``static/admin/``."""
    return url_for("static", filename=f"admin/{name}")
