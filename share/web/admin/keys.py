"""API keys: create (the key is shown once), list, revoke (after a confirmation)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for

from share.access import apikeys

from ...db import get_engine
from .blueprint import bp
from .i18n import t


def _listing() -> list[dict]:
    return [
        {
            "prefix": k["prefix"],
            "name": k["name"],
            "created_at": k["created_at"],
            "last_used_at": k["last_used_at"],
            "revoked_at": k["revoked_at"],
        }
        for k in apikeys.list_keys(get_engine())
    ]


@bp.get("/keys")
def keys():
    """The keys page; a key is listed by its prefix, never in full (only its hash is stored)."""
    return render_template("admin/keys.html", keys=_listing(), new_key=None)


@bp.get("/keys.json")
def keys_json():
    """The keys page's JSON twin; times are UTC ISO strings ending in ``Z``, or null."""

    def iso(value):
        return value.isoformat() + "Z" if value else None

    return jsonify(
        keys=[
            {**k, **{f: iso(k[f]) for f in ("created_at", "last_used_at", "revoked_at")}}
            for k in _listing()
        ]
    )


@bp.post("/keys")
def create_key():
    """Create a key and show it in this response only: it cannot be shown again."""
    try:
        key = apikeys.create(get_engine(), request.form.get("name", ""))
    except apikeys.ApiKeyError as exc:
        flash(t(str(exc)), "error")
        return redirect(url_for("admin.keys"))
    flash(t("Key created. Copy it now: it is not shown again."), "ok")
    return render_template("admin/keys.html", keys=_listing(), new_key=key)


@bp.post("/keys/<prefix>/revoke")
def revoke_key(prefix: str):
    """Revoke after a confirmation page.

    ``prefix`` may be cut short (4+ characters): every live key starting with it is revoked.
    """
    if request.form.get("confirmed") != "1":
        return render_template(
            "admin/confirm.html",
            question=t(
                "Revoke the API key {prefix}? Programs using it stop working at once.",
                prefix=prefix,
            ),
            detail=None,
            action_url=url_for("admin.revoke_key", prefix=prefix),
            cancel_url=url_for("admin.keys"),
        )
    try:
        count = apikeys.revoke(get_engine(), prefix)
    except apikeys.ApiKeyError as exc:
        flash(t(str(exc)), "error")
    else:
        flash(t("Key revoked.") if count else t("No live key has that prefix."), "ok")
    return redirect(url_for("admin.keys"))
