"""Retention: ``flask prune`` deletes old raw scans and no number anyone reads changes.

Scans go through the real redirector over three weeks, with a returning
visitor on both sides of the horizon and scans on both sides of UTC and
display-zone midnights. The stats API (several zones, days and hours) and
the dashboard's JSON are read before and after each prune and must be
identical; raw rows before the horizon are gone, newer ones kept; the
roll-ups still agree with the kept raw rows (``tests.rollupcheck``) and a
rebuild keeps the history it can no longer derive.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from share import clock, services
from share.scans import retention
from share.storage.schema import retention_state, scans, widget_opens
from tests.adminhelp import CHROME, WECHAT, AdminClient
from tests.conftest import Api, make_app
from tests.rollupcheck import assert_rollups_match_raw

DAYS = 10
NOW = datetime(2026, 12, 3, 20, 30, tzinfo=UTC)
HORIZON = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # Shanghai 11-24 04:00: mid display day
LATER = datetime(2026, 12, 5, 0, 30, tzinfo=UTC)
LATER_HORIZON = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # a UTC midnight
AGENTS = [
    CHROME,
    WECHAT,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "curl/8.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
ZONES = ("UTC", "Asia/Shanghai", "Asia/Kolkata")


def _moments(rng: random.Random) -> list[tuple[datetime, str]]:
    """When each scan happens and from which address (few people, so visitors come back)."""
    spread = [
        (NOW - timedelta(seconds=rng.randrange(21 * 86400)), f"198.51.100.{rng.randrange(12)}")
        for _ in range(220)
    ]
    edges = [  # the same person on both sides of each horizon, and around midnights
        HORIZON - timedelta(minutes=30), HORIZON - timedelta(seconds=1), HORIZON,
        HORIZON + timedelta(minutes=30), datetime(2026, 11, 23, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 11, 24, 0, 0, tzinfo=UTC), datetime(2026, 11, 24, 15, 59, 59, tzinfo=UTC),
        datetime(2026, 11, 24, 16, 0, tzinfo=UTC), LATER_HORIZON - timedelta(seconds=1),
        LATER_HORIZON, LATER_HORIZON + timedelta(minutes=5),
    ]  # fmt: skip
    return spread + [(when, "203.0.113.9") for when in edges]


def _scan_all(app, codes: list[str], moments, rng: random.Random) -> list[datetime]:
    redirector = services.of(app).redirector
    for when, ip in moments:
        outcome = redirector.scan(
            rng.choice(codes),
            method="GET",
            headers={"User-Agent": CHROME if ip == "203.0.113.9" else rng.choice(AGENTS)},
            remote_addr=ip,
            src=rng.choice([None, "widget", "print"]),
            now=when,
        )
        assert outcome.status == 302
    redirector.flush()
    return [when for when, _ in moments]


def _everything_people_read(app, api: Api, admin: AdminClient, codes: list[str]) -> dict:
    """Every stats API answer and dashboard JSON these tests compare."""
    seen = {}
    for code in codes:
        for tz in ZONES:
            query = f"from=2026-11-10&to=2026-12-06&bucket=day&tz={tz}"
            seen[code, tz, "days"] = api.get(f"/links/{code}/stats?{query}").get_json()
            for day in ("2026-11-23", "2026-11-24", "2026-11-25"):
                query = f"from={day}&to={day}&bucket=hour&tz={tz}"
                seen[code, tz, day] = api.get(f"/links/{code}/stats?{query}").get_json()
        for rng in ("30d", "7d", "custom&from=2026-11-12&to=2026-12-05"):
            seen[code, "article", rng] = admin.get(f"/admin/a/{code}.json?range={rng}").get_json()
    for chart in ("30d", "7d"):
        seen["overview", chart] = admin.get(f"/admin/overview.json?chart={chart}").get_json()
    assert all(body is not None for body in seen.values())
    return seen


def _raw(app) -> list[datetime]:
    with services.of(app).engine.connect() as conn:
        return sorted(conn.execute(select(scans.c.ts)).scalars())


def _naive(moment: datetime) -> datetime:
    return clock.to_storage(moment)


def test_prune_deletes_old_raw_rows_and_every_count_stays(any_app, frozen):
    frozen.set(NOW)
    rng = random.Random(2026_11_23)
    api, admin = Api(any_app), AdminClient(any_app)
    admin.login()
    codes = [api.make_link(f"https://news.example.com/keep/{n}")["code"] for n in range(3)]
    sent = _scan_all(any_app, codes, _moments(rng), rng)
    any_app.test_client().post(f"/o/{codes[0]}")  # a widget open: a counter, never pruned
    url = any_app.config["DATABASE_URL"]
    any_app.config["SCAN_RETENTION_DAYS"] = DAYS
    runner = any_app.test_cli_runner()

    before = _everything_people_read(any_app, api, admin, codes)
    assert before[codes[0], "UTC", "days"]["total"] > 0
    dry = runner.invoke(args=["prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    older = sum(1 for when in sent if when < HORIZON)
    assert f"Would delete {older:,} raw scan rows from before 2026-11-23 20:00 UTC" in dry.output
    assert len(_raw(any_app)) == len(sent)  # a dry run deletes nothing

    done = runner.invoke(args=["prune"])
    assert done.exit_code == 0, done.output
    assert f"Deleted {older:,} raw scan rows from before 2026-11-23 20:00 UTC" in done.output
    assert _everything_people_read(any_app, api, admin, codes) == before
    kept = _raw(any_app)
    assert kept == sorted(_naive(w) for w in sent if w >= HORIZON)
    assert kept[0] == _naive(HORIZON)  # the horizon's own second is kept

    again = runner.invoke(args=["prune"])
    assert again.exit_code == 0 and "Deleted 0 raw scan rows" in again.output
    check = runner.invoke(args=["rebuild-rollups", "--check"])
    assert check.exit_code == 0, check.output
    assert_rollups_match_raw(url)
    rebuilt = runner.invoke(args=["rebuild-rollups"])  # must not wipe what it cannot derive
    assert rebuilt.exit_code == 0 and "corrected" not in rebuilt.output, rebuilt.output
    assert _everything_people_read(any_app, api, admin, codes) == before

    # a day and a few hours on: the horizon crosses a UTC midnight; small batches
    frozen.set(LATER)
    before = _everything_people_read(any_app, api, admin, codes)
    pruned = retention.prune(services.of(any_app).engine, DAYS, any_app.config["TIMEZONE"], batch=7)
    assert pruned.horizon == _naive(LATER_HORIZON)
    assert pruned.rows == sum(1 for when in sent if HORIZON <= when < LATER_HORIZON)
    assert _everything_people_read(any_app, api, admin, codes) == before
    assert _raw(any_app)[0] == _naive(LATER_HORIZON)
    assert runner.invoke(args=["rebuild-rollups", "--check"]).exit_code == 0
    assert_rollups_match_raw(url)
    with services.of(any_app).engine.connect() as conn:
        assert conn.execute(select(retention_state.c.pruned_before)).scalar() == _naive(
            LATER_HORIZON
        )
        assert conn.execute(select(func.sum(widget_opens.c.opens))).scalar() == 1


def test_a_visitor_first_seen_before_the_horizon_stays_first_seen_there(app, frozen):
    """Same person at 19:30 and 20:30 UTC (one Shanghai day); the horizon at 20:00 splits them."""
    frozen.set(NOW)
    code = Api(app).make_link()["code"]
    rng = random.Random(1)
    _scan_all(app, [code], [(HORIZON - timedelta(minutes=30), "203.0.113.9"),
                            (HORIZON + timedelta(minutes=30), "203.0.113.9")], rng)  # fmt: skip
    api = Api(app)
    day = "from=2026-11-23&to=2026-11-23&bucket=hour&tz=UTC"
    retention.prune(services.of(app).engine, DAYS, app.config["TIMEZONE"])
    assert len(_raw(app)) == 1
    assert app.test_cli_runner().invoke(args=["rebuild-rollups"]).exit_code == 0
    body = api.get(f"/links/{code}/stats?{day}").get_json()
    hours = {p["t"][11:13]: (p["scans"], p["unique"]) for p in body["series"]}
    assert hours["19"] == (1, 1) and hours["20"] == (1, 0)
    assert (body["total"], body["unique"]) == (2, 1)


def test_prune_with_retention_unset_says_so_and_deletes_nothing(app, frozen):
    code = Api(app).make_link()["code"]
    _scan_all(app, [code], [(NOW - timedelta(days=400), "198.51.100.1")], random.Random(2))
    assert app.config["SCAN_RETENTION_DAYS"] is None
    result = app.test_cli_runner().invoke(args=["prune"])
    assert result.exit_code == 0
    assert (
        "Retention is off (SHARE_SCAN_RETENTION_DAYS is unset): nothing deleted." in result.output
    )
    assert len(_raw(app)) == 1
    with services.of(app).engine.connect() as conn:
        assert conn.execute(select(retention_state.c.pruned_before)).scalar() is None


def test_the_horizon_never_moves_back_when_retention_grows(app, frozen):
    frozen.set(NOW)
    engine = services.of(app).engine
    tz = app.config["TIMEZONE"]
    first = retention.prune(engine, 5, tz)
    retention.prune(engine, 30, tz)
    assert first.horizon == _naive(NOW - timedelta(days=5)).replace(minute=0)
    assert retention.horizon(engine) == first.horizon


@pytest.mark.parametrize("value", ["0", "-3", "1.5", "ten", "true"])
def test_a_bad_retention_setting_stops_start_up_naming_it(tmp_path, monkeypatch, value):
    monkeypatch.setenv("SHARE_SCAN_RETENTION_DAYS", value)
    with pytest.raises(RuntimeError, match="SHARE_SCAN_RETENTION_DAYS") as caught:
        make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path)
    assert "\n" not in str(caught.value)


def test_a_good_retention_setting_is_a_whole_number_of_days(tmp_path, monkeypatch):
    monkeypatch.setenv("SHARE_SCAN_RETENTION_DAYS", "90")
    app = make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path)
    try:
        assert app.config["SCAN_RETENTION_DAYS"] == 90
    finally:
        services.of(app).redirector.close()
        services.of(app).engine.dispose()
