"""Log in, log out, switch language.

Login attempts are counted *before* the password is checked, per account
and client, per client and per account (:mod:`share.access.throttle`), in
the limiter's shared storage: the app's database, or Redis when
``REDIS_URL`` is set — never one worker's memory. A browser that logged in
before carries a signed device cookie and is counted on its own, so a
stranger's failures cannot lock an editor out of their usual browser.
Unknown user and wrong password get the same page, status and scrypt work.
"""

from __future__ import annotations

import secrets

from flask import current_app, flash, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import TooManyRequests

from share import clock
from share.access import admins
from share.access.throttle import Attempt, LoginLimits, LoginThrottle, account_name

from ...db import get_engine
from ..extensions import client_address, limiter
from .blueprint import bp
from .i18n import LANGS, safe_next, t

DEVICE_COOKIE = "scanshare_device"
DEVICE_DAYS = 180


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="admin-device")


def _device(account: str) -> str | None:
    """The device id of this browser's cookie when it was issued for ``account``."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw or len(raw) > 512:
        return None
    try:
        value = _devices().loads(raw, max_age=DEVICE_DAYS * clock.DAY)
    except BadSignature:
        return None
    if not isinstance(value, dict) or value.get("a") != account:
        return None
    device = value.get("d")
    return device if isinstance(device, str) else None


def _throttle() -> LoginThrottle:
    config = current_app.config
    limits = LoginLimits.from_settings(
        pair=config["ADMIN_LOGIN_LIMIT_ACCOUNT"],
        client=config["ADMIN_LOGIN_LIMIT_CLIENT"],
        account=config["ADMIN_LOGIN_LIMIT_ACCOUNT_CEILING"],
    )
    return LoginThrottle(limiter.limiter, limits, prefix=config["RATELIMIT_KEY_PREFIX"])


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success a fresh session and a redirect to ``next``."""
    target = safe_next(request.values.get("next"), url_for("admin.overview"))
    if request.method == "GET":
        return render_template("admin/login.html", next=target, error=None)
    username = request.form.get("username", "").strip()
    attempt = Attempt(username, client_address(), _device(account_name(username)))
    throttle = _throttle()
    wait = throttle.admit(attempt)
    if wait is not None:
        raise TooManyRequests(
            description=t("Too many failed logins; wait a while and try again."),
            retry_after=int(wait),
        )
    user = admins.authenticate(get_engine(), username, request.form.get("password", ""))
    if user is None:
        error = t("Wrong username or password.")
        return render_template("admin/login.html", next=target, error=error), 401
    throttle.succeeded(attempt)
    chosen_lang = session.get("lang")
    session.clear()  # no fixation: a new session for the new identity
    session["admin_id"] = user["id"]
    session["admin_key"] = user["key"]  # ends with a password reset (admins.session_key)
    if chosen_lang:
        session["lang"] = chosen_lang
    response = redirect(target)
    device = attempt.device or secrets.token_urlsafe(16)
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps({"a": attempt.account, "d": device}),
        max_age=DEVICE_DAYS * clock.DAY,
        path=url_for("admin.login"),
        secure=request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )
    return response


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
