"""Every surface counts the same scans and opens over the same instants, at any hour, in any zone.

The overview's today / 7 days / 30 days, the article page's ranges, the stats
API (UTC and ``tz=``) and the CSV exports are compared with an independent
count: each event's local day worked out here with :mod:`zoneinfo`, not with
``share.clock``. The clock is frozen at each of ``conftest.INSTANTS``
(16:01 UTC, DST changes, month and year ends, 29 February…) and the display
zone is each of ``conftest.ZONES`` (+8, DST zones, +5:30, +5:45).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from share import clock, services
from share.scans.opens import record_open
from tests.adminhelp import CHROME, AdminClient, scan
from tests.conftest import INSTANTS, ZONES, Api, close_app, make_app


def _events(now: datetime, tz: ZoneInfo) -> list[datetime]:
    """Instants around every edge a count can get wrong, none in the future."""
    local_now = now.astimezone(tz)
    today = local_now.date()
    edges = []
    for days_back in (0, 1, 6, 7, 29, 30):
        midnight = datetime.combine(today - timedelta(days=days_back), datetime.min.time(), tz)
        edges += [midnight, midnight - timedelta(seconds=1), midnight + timedelta(minutes=20)]
    utc_midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    # the last 24 hours are 24 elapsed hours: step back in UTC, not on the wall clock
    hour_start = local_now.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    edges += [
        utc_midnight,
        utc_midnight - timedelta(seconds=1),
        now - timedelta(minutes=1),
        now - timedelta(hours=2),
        hour_start - timedelta(hours=23),
        hour_start - timedelta(hours=23, seconds=1),
        now,
    ]
    return sorted({e.astimezone(UTC) for e in edges if e <= now})


def _expected(events: list[datetime], now: datetime, tz: ZoneInfo) -> dict[str, int]:
    """Counts worked out from the events alone."""
    today = now.astimezone(tz).date()
    utc_today = now.date()

    def local_days_back(e):
        return (today - e.astimezone(tz).date()).days

    hour_start = now.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    window = (hour_start - timedelta(hours=23), hour_start + timedelta(hours=1))
    return {
        "today": sum(local_days_back(e) == 0 for e in events),
        "7d": sum(0 <= local_days_back(e) < 7 for e in events),
        "30d": sum(0 <= local_days_back(e) < 30 for e in events),
        "24h": sum(window[0] <= e < window[1] for e in events),
        "utc_today": sum(e.date() == utc_today for e in events),
    }


@pytest.fixture(params=ZONES)
def zone_app(request, sqlite_url, tmp_path):
    app = make_app(sqlite_url, tmp_path, TIMEZONE=request.param)
    yield app
    close_app(app)


@pytest.mark.parametrize("moment", list(INSTANTS.values()), ids=list(INSTANTS))
def test_every_surface_counts_the_same_scans_and_opens(zone_app, moment):
    tz = zone_app.config["TIMEZONE"]
    with clock.frozen(moment):
        _check_every_surface(zone_app, tz, moment)


def _check_every_surface(app, tz: ZoneInfo, now: datetime) -> None:
    engine = services.of(app).engine
    api = Api(app)
    code = api.make_link()["code"]
    events = _events(now, tz)
    for n, moment in enumerate(events):
        scan(app, code, moment, CHROME, ip=f"198.51.100.{n + 1}")
        assert record_open(engine, code, moment).value == "counted"
    want = _expected(events, now, tz)
    admin = AdminClient(app)
    admin.login()

    overview = admin.get("/admin/overview.json").get_json()["totals"]
    for period in ("today", "7d", "30d"):
        assert overview[period]["scans"] == want[period], period
        assert overview[period]["opens"] == want[period], f"opens {period}"
    assert overview["all"]["scans"] == overview["all"]["opens"] == len(events)
    for chart in ("24h", "7d", "30d"):
        series = admin.get(f"/admin/overview.json?chart={chart}").get_json()["chart"]["series"]
        assert sum(b["total"] for b in series) == want[chart], f"chart {chart}"

    for rng in ("24h", "7d", "30d"):
        page = admin.get(f"/admin/a/{code}.json?range={rng}").get_json()["stats"]
        assert (page["total"], page["opens"]) == (want[rng], want[rng]), rng
        assert sum(p["scans"] for p in page["series"]) == want[rng]
        rows = list(csv.reader(io.StringIO(admin.get(f"/admin/a/{code}/series.csv?range={rng}")
                                           .get_data(as_text=True))))  # fmt: skip
        assert sum(int(r[1]) for r in rows[1:]) == want[rng], f"series.csv {rng}"
        raw = admin.get(f"/admin/a/{code}/scans.csv?range={rng}").get_data(as_text=True)
        assert len(list(csv.reader(io.StringIO(raw)))) - 1 == want[rng], f"scans.csv {rng}"

    local = api.get(f"/links/{code}/stats", query_string={"tz": tz.key}).get_json()
    assert (local["total"], local["opens"]) == (want["30d"], want["30d"])
    today = now.astimezone(tz).date().isoformat()
    one_day = api.get(
        f"/links/{code}/stats", query_string={"tz": tz.key, "from": today, "to": today}
    ).get_json()
    assert (one_day["total"], one_day["opens"]) == (want["today"], want["today"])
    hourly = api.get(
        f"/links/{code}/stats",
        query_string={"tz": tz.key, "from": today, "to": today, "bucket": "hour"},
    ).get_json()
    assert sum(p["scans"] for p in hourly["series"]) == want["today"]

    utc_today = now.date().isoformat()
    utc = api.get(f"/links/{code}/stats?from={utc_today}&to={utc_today}").get_json()
    assert (utc["total"], utc["opens"]) == (want["utc_today"], want["utc_today"])


def test_today_column_counts_popup_opens_at_18_utc_in_shanghai(app, api, frozen):
    """Regression: at 18:00 UTC the overview's Today showed the scans but 0 opens."""
    frozen.set(datetime(2026, 12, 3, 18, 0, tzinfo=UTC))
    code = api.make_link()["code"]
    a_minute_ago = frozen.now() - timedelta(minutes=1)
    for n in range(4):
        scan(app, code, a_minute_ago, ip=f"198.51.100.{n}", src="widget")
    for _ in range(2):
        record_open(services.of(app).engine, code, a_minute_ago)
    admin = AdminClient(app)
    admin.login()
    today = admin.get("/admin/overview.json").get_json()["totals"]["today"]
    assert (today["scans"], today["opens"], today["scans_per_open"]) == (4, 2, 2.0)


def test_article_24_hours_view_counts_opens_at_18_utc(app, api, frozen):
    """Regression: the article page's 24-hour view showed 0 opens after 16:00 UTC."""
    frozen.set(datetime(2026, 12, 3, 18, 0, tzinfo=UTC))
    code = api.make_link()["code"]
    a_minute_ago = frozen.now() - timedelta(minutes=1)
    scan(app, code, a_minute_ago, src="widget")
    for _ in range(2):
        record_open(services.of(app).engine, code, a_minute_ago)
    admin = AdminClient(app)
    admin.login()
    stats = admin.get(f"/admin/a/{code}.json?range=24h").get_json()["stats"]
    assert (stats["total"], stats["opens"]) == (1, 2)


@pytest.mark.parametrize(
    ("zone", "moment"),
    [
        ("Asia/Kolkata", INSTANTS["16:01"]),
        ("Asia/Kathmandu", INSTANTS["00:30"]),
        ("America/New_York", INSTANTS["ny-fall-back"]),
        ("Asia/Shanghai", INSTANTS["year-end"]),
    ],
)
def test_every_surface_agrees_on_postgresql(postgres_url, tmp_path, zone, moment):
    """The slot arithmetic in SQL (``extract(epoch …)``) matches SQLite's."""
    app = make_app(postgres_url, tmp_path, TIMEZONE=zone)
    try:
        with clock.frozen(moment):
            _check_every_surface(app, app.config["TIMEZONE"], moment)
    finally:
        close_app(app)
