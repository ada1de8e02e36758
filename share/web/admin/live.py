"""The live view: the last 30 minutes by minute, refreshing itself without a page reload.

The page polls ``?part=1`` every few seconds (``admin.js``) and swaps in the
re-rendered section, so the chart is drawn by the same server-side SVG code
as every other chart and the strict CSP holds. ``/admin/live.json`` is its
JSON twin.
"""

from __future__ import annotations

from flask import jsonify, render_template, request

from share.stats import live as livestats

from ..lookup import counted_engine
from . import charts
from .blueprint import bp
from .i18n import timezone

#: Seconds between two refreshes of the page (the issue asks for a scan within 5 s).
REFRESH_SECONDS = 3


def _data() -> dict:
    return livestats.live(counted_engine(), timezone())


@bp.get("/live")
def live():
    """The page, or with ``?part=1`` only its refreshing section."""
    data = _data()
    chart = charts.line(data["minutes"])
    template = "admin/_live_part.html" if request.args.get("part") == "1" else "admin/live.html"
    return render_template(template, data=data, chart=chart, refresh=REFRESH_SECONDS)


@bp.get("/live.json")
def live_json():
    """The live view as JSON: minutes (``t``, ``scans``, ``bots``), totals, top articles."""
    return jsonify(_data())
