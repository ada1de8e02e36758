"""The Brand page: the site logo of ``?logo=1`` QR codes, uploaded, shown and removed.

The upload is checked by :func:`share.qr.logo.check` (the article-image rules,
PNG or JPEG only) and kept in the database, so every app instance uses it at
once; a refused file answers this page again with a 400 and a message saying
what to upload instead.
"""

from __future__ import annotations

import base64

from flask import current_app, flash, redirect, render_template, request, url_for

from share.qr import logo as site_logo
from share.storage import brand as stored

from ...db import get_engine
from .blueprint import bp
from .i18n import t


def _page(status: int = 200, error: str | None = None):
    engine = get_engine()
    uploaded = stored.details(engine)
    configured = current_app.config.get("QR_LOGO")
    shown = site_logo.current(engine, configured)
    source = "upload" if uploaded else ("file" if configured is not None else None)
    preview = "data:image/png;base64," + base64.b64encode(shown.png).decode() if shown else None
    body = render_template(
        "admin/brand.html",
        uploaded=uploaded,
        source=source,
        preview=preview,
        error=error,
        max_kb=site_logo.MAX_BYTES // 1024,
    )
    return body, status


@bp.get("/brand")
def brand():
    """The current logo (an upload beats ``SHARE_QR_LOGO``), the upload form and remove button."""
    return _page()


@bp.post("/brand/logo")
def upload_logo():
    """Check and store an uploaded logo; a refused one gets this page with the reason (400)."""
    file = request.files.get("logo")
    data = file.read(site_logo.MAX_BYTES + 1) if file else b""
    try:
        site_logo.upload(get_engine(), data)
    except site_logo.LogoError as exc:
        return _page(400, t(exc.template, **exc.values))
    flash(t("Logo saved. QR codes with logo=1 use it from now on."), "ok")
    return redirect(url_for("admin.brand"))


@bp.post("/brand/logo/remove")
def remove_logo():
    """Remove the uploaded logo; ``SHARE_QR_LOGO``, if set, applies again."""
    removed = site_logo.remove(get_engine())
    flash(t("Logo removed.") if removed else t("No uploaded logo to remove."), "ok")
    return redirect(url_for("admin.brand"))
