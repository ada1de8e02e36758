"""The overview page and its JSON twin: totals, the chart, top articles."""

from __future__ import annotations

from flask import jsonify, render_template, request

from share.links.service import Link
from share.stats import dashboard

from ..lookup import counted_engine
from ..publicurl import public_url
from . import charts
from .blueprint import bp
from .i18n import safe_image, timezone


def _data() -> dict:
    engine, tz = counted_engine(), timezone()
    chart = request.args.get("chart", "30d")
    data = dashboard.overview(engine, tz, chart)
    query = dashboard.TopQuery.parse(request.args)
    rows, count, pages = dashboard.top_articles(engine, tz, query)
    data["top"] = {
        "q": query.q,
        "tag": query.tag,
        "sort": query.sort,
        "order": "desc" if query.desc else "asc",
        "page": query.page,
        "pages": pages,
        "count": count,
        "articles": [_article(row) for row in rows],
    }
    return data


def _article(row: dict) -> dict:
    link = Link.from_row(row)  # overrides win, as everywhere
    return {
        "code": link.code,
        "url": link.url,
        "title": link.title,
        "site_name": link.site_name,
        "image": safe_image(link.image),
        "short_url": link.to_json(public_url())["short_url"],
        "disabled": link.disabled,
        "tags": list(link.tags),
        "scans_7d": int(row["scans_7d"] or 0),
        "scans_30d": int(row["scans_30d"] or 0),
        "scans_all": int(row["scans_all"] or 0),
        "last_scan": row["last_scan"].isoformat() + "Z" if row["last_scan"] else None,
        "_last_scan": row["last_scan"],
    }


@bp.get("/")
def overview():
    """The dashboard's home: totals, the chart and the top-articles table."""
    data = _data()
    chart = charts.stacked_bars(data["chart"])
    return render_template("admin/overview.html", data=data, chart=chart, args=request.args)


@bp.get("/overview.json")
def overview_json():
    """The overview's JSON twin, without the internal ``_last_scan`` datetime of each article."""
    data = _data()
    for article in data["top"]["articles"]:
        article.pop("_last_scan")
    return jsonify(data)
