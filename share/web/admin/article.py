"""One article: numbers, charts, QR and card downloads, snippet, actions.

Actions that change the link (disable, enable, refresh) ask first: the
button posts to the action, which answers a confirmation page until the
form carries ``confirmed=1``; then it acts, flashes and goes back.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for

from share import services
from share.links import service as links
from share.stats import article as articlestats

from ...db import get_engine
from ...metadata.hook import refresh
from ..lookup import counted_engine, get_link_or_404
from ..publicurl import public_url
from . import charts, wechatpreview
from .blueprint import bp
from .i18n import safe_image, t, timezone

QR_SIZES = (300, 600, 1200, 2048)
ACTIONS = {
    "disable": "Disable this link? Its QR codes will answer 410 Gone until you enable it again.",
    "enable": "Enable this link again? Its QR codes will redirect and count scans.",
    "refresh": "Fetch the article's title, description and image again?",
}


def _range():
    try:
        return articlestats.Range.parse(request.args, timezone()), None
    except articlestats.RangeError as exc:
        return articlestats.Range.parse({}, timezone()), str(exc)


def _numbers(link) -> tuple[dict, str | None]:
    rng, error = _range()
    return articlestats.article(counted_engine(), link.id, rng, timezone()), error


@bp.get("/a/<code>")
def article(code: str):
    """The article page; a bad custom range is flashed and the default range shown instead."""
    link = get_link_or_404(code)
    numbers, error = _numbers(link)
    if error:
        flash(t(error), "error")
    return render_template(
        "admin/article.html",
        link=link,
        info=link.to_json(public_url()),
        image=safe_image(link.image),
        numbers=numbers,
        chart=charts.line(numbers["series"]),
        sizes=QR_SIZES,
        args=request.args,
        wechat=wechatpreview.for_link(link),
    )


@bp.get("/a/<code>.json")
def article_json(code: str):
    """The page's JSON twin; a bad custom range is a 400 here rather than a fallback."""
    link = get_link_or_404(code)
    numbers, error = _numbers(link)
    if error:
        return jsonify(error={"code": "invalid_range", "message": error}), 400
    return jsonify(link=link.to_json(public_url()), stats=numbers)


@bp.post("/a/<code>/edit")
def edit(code: str):
    """Save overrides; an empty field clears its override and the article's own value shows."""
    get_link_or_404(code)
    changes = {k: request.form.get(k, "") for k in ("title", "description", "image")}
    try:
        links.update(get_engine(), code, changes)
    except links.LinkError as exc:
        flash(t("Not saved: {reason}", reason=str(exc)), "error")
    else:
        flash(t("Saved. Empty fields use the article's own value again."), "ok")
    return redirect(url_for("admin.article", code=code))


@bp.post("/a/<code>/<action>")
def act(code: str, action: str):
    """Disable, enable or refresh, after a confirmation page; an unknown action is a 404."""
    link = get_link_or_404(code)
    if action not in ACTIONS:
        abort(404)
    if request.form.get("confirmed") != "1":
        return render_template(
            "admin/confirm.html",
            question=t(ACTIONS[action]),
            detail=link.title or link.url,
            action_url=url_for("admin.act", code=code, action=action),
            cancel_url=url_for("admin.article", code=code),
        )
    engine = get_engine()
    if action == "refresh":
        fresh = refresh(engine, code, services.current().fetch_policy)
        if fresh is not None and fresh.fetch_error:
            flash(t("The article could not be fetched:") + f" {fresh.fetch_error}", "error")
        else:
            flash(t("Metadata refreshed."), "ok")
    else:
        links.update(engine, code, {"disabled": action == "disable"})
        flash(t("Link disabled.") if action == "disable" else t("Link enabled."), "ok")
    return redirect(url_for("admin.article", code=code))
