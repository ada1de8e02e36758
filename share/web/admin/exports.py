"""CSV exports: the overview's totals and top articles, one article's series and raw scans.

Raw rows carry no address and no visitor hash (neither is ever stored in a
form worth exporting); every text cell goes through :mod:`share.stats.csvexport`.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Response, request, stream_with_context

from share import clock
from share.stats import article as articlestats
from share.stats import dashboard
from share.stats.csvexport import rows_to_csv

from ..lookup import counted_engine, get_link_or_404
from .article import _range
from .blueprint import bp
from .i18n import timezone
from .overview import _article

#: Articles fetched per query while exporting the top-articles table, and at most exported.
EXPORT_PAGE, EXPORT_MAX = 500, 50_000
#: The overview's figures, in the order the page shows them.
OVERVIEW_FIGURES = ("scans", "uniques", "bots", "opens", "scans_per_open")


def _csv(rows, filename: str) -> Response:
    response = Response(stream_with_context(rows_to_csv(rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/a/<code>/series.csv")
def series_csv(code: str):
    """The page's series as CSV, same range and zone; a bad custom range exports the default."""
    link = get_link_or_404(code)
    rng, _ = _range()
    numbers = articlestats.article(counted_engine(), link.id, rng, timezone())
    label = "hour" if rng.bucket == "hour" else "day"

    def rows():
        yield (f"{label} ({numbers['timezone']})", "scans", "unique")
        for point in numbers["series"]:
            yield (point["t"], point["scans"], point["unique"])

    return _csv(rows(), f"{code}-{rng.first_day}-{rng.last_day}-{label}.csv")


@bp.get("/a/<code>/scans.csv")
def scans_csv(code: str):
    """Every scan in the range as streamed CSV; rows carry no address and no visitor hash."""
    link = get_link_or_404(code)
    rng, _ = _range()
    rows = articlestats.raw_rows(counted_engine(), link.id, rng, timezone())
    return _csv(rows, f"{code}-{rng.first_day}-{rng.last_day}-scans.csv")


@bp.get("/overview-totals.csv")
def overview_totals_csv():
    """The overview's totals: one row per figure, one column per period (display-zone days)."""
    tz = timezone()
    data = dashboard.overview(counted_engine(), tz)
    periods = tuple(dashboard.PERIODS)

    def rows():
        yield ("figure", *periods)
        for key in OVERVIEW_FIGURES:
            yield (key, *(data["totals"][p][key] for p in periods))

    return _csv(rows(), f"overview-totals-{clock.today(tz)}.csv")


@bp.get("/overview-articles.csv")
def overview_articles_csv():
    """Every article of the top-articles table as filtered and sorted on screen (all pages)."""
    tz = timezone()
    engine = counted_engine()
    query = replace(dashboard.TopQuery.parse(request.args), page=1, per_page=EXPORT_PAGE)

    def rows():
        yield ("code", "short_url", "url", "title", "tags", "scans_7d", "scans_30d", "scans_all",
               f"last_scan ({tz.key})")  # fmt: skip
        page, sent = 1, 0
        while sent < EXPORT_MAX:
            found, _count, pages = dashboard.top_articles(engine, tz, replace(query, page=page))
            for row in found:
                a = _article(row)
                yield (a["code"], a["short_url"], a["url"], a["title"], "|".join(a["tags"]),
                       a["scans_7d"], a["scans_30d"], a["scans_all"],
                       clock.iso_local(a["_last_scan"], tz))  # fmt: skip
            sent += len(found)
            if page >= pages or not found:
                break
            page += 1

    return _csv(rows(), f"overview-articles-{clock.today(tz)}.csv")
