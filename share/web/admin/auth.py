"""Log in, log out, switch language.

Failed logins are throttled per account and per client through the shared
limiter (Redis when ``REDIS_URL`` is set, so the count holds across workers
and machines); only failures are counted. Unknown user and wrong password
get the same page, status and scrypt work.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for

from share.access import admins

from ...db import get_engine
from ..extensions import client_address, limiter
from .blueprint import bp
from .i18n import LANGS, safe_next, t


def _account_key() -> str:
    return "admin-login-account:" + (request.form.get("username") or "").strip().lower()[:64]


def _client_key() -> str:
    return "admin-login-client:" + client_address()


def _failed(response) -> bool:
    return response.status_code == 401


def _account_limit() -> str:
    return current_app.config["ADMIN_LOGIN_LIMIT_ACCOUNT"]


def _client_limit() -> str:
    return current_app.config["ADMIN_LOGIN_LIMIT_CLIENT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(_client_limit, key_func=_client_key, methods=["POST"], deduct_when=_failed)
def login():
    """The login form; on success a fresh session and a redirect to ``next``."""
    target = safe_next(request.values.get("next"), url_for("admin.overview"))
    if request.method == "GET":
        return render_template("admin/login.html", next=target, error=None)
    user = admins.authenticate(
        get_engine(), request.form.get("username", "").strip(), request.form.get("password", "")
    )
    if user is None:
        error = t("Wrong username or password.")
        return render_template("admin/login.html", next=target, error=error), 401
    chosen_lang = session.get("lang")
    session.clear()  # no fixation: a new session for the new identity
    session["admin_id"] = user["id"]
    if chosen_lang:
        session["lang"] = chosen_lang
    return redirect(target)


@bp.post("/logout")
def logout():
    """End the session, keeping the dashboard language the admin chose."""
    chosen_lang = session.get("lang")
    session.clear()
    if chosen_lang:
        session["lang"] = chosen_lang
    flash(t("You are logged out."), "ok")
    return redirect(url_for("admin.login"))


@bp.post("/lang")
def set_lang():
    """Remember the chosen language and go back where the switch was pressed."""
    chosen = request.form.get("lang")
    if chosen in LANGS:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next"), url_for("admin.overview")))
