"""The overview page and its JSON twin: totals, the chart, top articles."""

from __future__ import annotations

from flask import flash, jsonify, render_template, request

from share.links.service import Link
from share.stats import article as articlestats
from share.stats import dashboard

from ..lookup import counted_engine
from ..publicurl import public_url
from . import charts
from .blueprint import bp
from .i18n import safe_image, t, timezone


def _span() -> tuple[tuple | None, str | None]:
    """``chart=custom&from=…&to=…`` as (first, last) local days, or an error to show."""
    if request.args.get("chart") != "custom":
        return None, None
    try:
        rng = articlestats.Range.parse({**request.args, "range": "custom"}, timezone())
    except articlestats.RangeError as exc:
        return None, str(exc)
    return (rng.first_day, rng.last_day), None


def _data(span: tuple | None) -> dict:
    engine, tz = counted_engine(), timezone()
    chart = "custom" if span is not None else request.args.get("chart", "30d")
    data = dashboard.overview(engine, tz, chart, days=span)
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
    """The dashboard's home: totals, the chart and the top-articles table.

    ``chart=custom&from=…&to=…`` (local days, at most a year) charts those
    days and adds their totals; a bad range is flashed and 30 days shown.
    """
    span, error = _span()
    if error:
        flash(t(error), "error")
    data = _data(span)
    chart = charts.stacked_bars(data["chart"])
    return render_template("admin/overview.html", data=data, chart=chart, args=request.args)


@bp.get("/overview.json")
def overview_json():
    """The overview's JSON twin, without the internal ``_last_scan`` datetime of each article.

    A bad custom range is a 400 here rather than a fallback.
    """
    span, error = _span()
    if error:
        return jsonify(error={"code": "invalid_range", "message": error}), 400
    data = _data(span)
    for article in data["top"]["articles"]:
        article.pop("_last_scan")
    return jsonify(data)
