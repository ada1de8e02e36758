"""Deleting a link from its article page: a confirmation that says what goes, then the deletion.

The article page links to the confirmation (a GET, which changes nothing);
it counts what will be lost (scans, bot visits, widget opens, share clicks), and only its
form, posted with the CSRF token and ``confirmed=1``, deletes. A POST without
``confirmed`` answers the same confirmation, as the other actions do.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from share import services
from share.links import service as links
from share.sharing import clicks

from ...db import get_engine
from ..lookup import counted_engine, get_link_or_404
from .blueprint import bp
from .i18n import t

QUESTION = (
    "Delete this link for good? Its scans, widget opens and statistics are removed and cannot "
    "be restored; its QR codes will answer 410 Gone and its code is never used again."
)


def _confirmation(link: links.Link):
    engine = counted_engine()  # spooled scans counted first
    clicks.flush(engine)  # and this worker's pending shares
    lost = links.footprint(engine, link)
    return render_template(
        "admin/confirm.html",
        question=t(QUESTION),
        detail=link.title or link.url,
        losses=[
            t("{n} human scans", n=f"{lost['scans']:,}"),
            t("{n} bot and link-preview visits", n=f"{lost['bots']:,}"),
            t("{n} widget popup opens", n=f"{lost['opens']:,}"),
            t("{n} share-button clicks", n=f"{lost['shares']:,}"),
        ],
        confirm_label=t("Delete link"),
        action_url=url_for("admin.delete_link", code=link.code),
        cancel_url=url_for("admin.article", code=link.code),
    )


@bp.get("/a/<code>/delete")
def confirm_delete(code: str):
    """The confirmation page: what deleting the link loses. Nothing is changed here."""
    return _confirmation(get_link_or_404(code))


@bp.post("/a/<code>/delete")
def delete_link(code: str):
    """Delete once confirmed, then back to the overview with a message; else the confirmation."""
    link = get_link_or_404(code)
    if request.form.get("confirmed") != "1":
        return _confirmation(link)
    forget_cards = services.current().card_store.forget_link
    if links.delete(get_engine(), code, after=forget_cards):
        flash(t("Link deleted: {name}", name=link.title or link.url), "ok")
    else:  # another editor (or an API call) was faster
        flash(t("This link had already been deleted."), "ok")
    return redirect(url_for("admin.overview"))
