"""CSV exports of one article: the series on screen, and every raw scan.

Raw rows carry no address and no visitor hash (neither is ever stored in a
form worth exporting); every text cell goes through :mod:`share.stats.csvexport`.
"""

from __future__ import annotations

from flask import Response, stream_with_context

from share.stats import article as articlestats
from share.stats.csvexport import rows_to_csv

from ..lookup import counted_engine, get_link_or_404
from .article import _range
from .blueprint import bp
from .i18n import timezone


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
