"""Roll-ups kept at ingest agree with the raw rows, whatever order and path scans arrive by.

Scans go through the real redirector (spool + ingester, and the direct
write when the spool is off), out of order, from two instances; every
stats figure is then compared with a recount from raw rows
(:mod:`tests.rollupcheck`) on both engines, and the rebuild command must
find nothing to correct. Tampered roll-ups are found and mended.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.pool import NullPool

from share import services
from share.db import migrate, migrate_command
from share.storage.schema import (
    links,
    rollup_link_days,
    rollup_link_dims,
    rollup_link_slots,
    rollup_visitors,
    scans,
)
from tests.adminhelp import CHROME, WECHAT
from tests.conftest import Api, close_app, make_app
from tests.rollupcheck import assert_rollups_match_raw

NOW = datetime(2026, 12, 3, 16, 1, tzinfo=UTC)
AGENTS = [
    CHROME,
    WECHAT,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "curl/8.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "facebookexternalhit/1.1",
]
REFERRERS = [None, "https://mp.weixin.qq.com/s/x", "https://www.google.com/", "https://t.co/y"]
PLACEMENTS = [None, "widget", "print", "card"]


def _scan(app, code: str, when: datetime, rng: random.Random) -> int:
    headers = {"User-Agent": rng.choice(AGENTS)}
    referrer = rng.choice(REFERRERS)
    if referrer:
        headers["Referer"] = referrer
    outcome = services.of(app).redirector.scan(
        code,
        method="GET",
        headers=headers,
        remote_addr=f"198.51.100.{rng.randrange(12)}",  # few people, so visitors come back
        src=rng.choice(PLACEMENTS),
        now=when,
    )
    return outcome.status


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


def test_random_scans_in_any_order_by_both_paths_agree_with_raw_rows(database_url, tmp_path):
    """Spooled scans from two instances and direct writes, shuffled in time, 40 days, 3 links."""
    rng = random.Random(20261203)
    spooled = make_app(database_url, tmp_path / "a")
    other = make_app(database_url, tmp_path / "b")
    direct = make_app(database_url, tmp_path / "c", SCAN_SPOOL=False)
    try:
        api = Api(spooled)
        codes = [api.make_link(f"https://news.example.com/r/{n}")["code"] for n in range(3)]
        moments = [NOW - timedelta(seconds=rng.randrange(40 * 86400)) for _ in range(240)]
        moments += [NOW.replace(hour=18, minute=29, second=59) - timedelta(days=1)] * 3
        rng.shuffle(moments)  # later scans often arrive before earlier ones
        answered = 0
        for n, when in enumerate(moments):
            app = (spooled, other, direct)[n % 3]
            answered += _scan(app, rng.choice(codes), when, rng) == 302
            if n % 50 == 49:
                for each in (other, spooled):  # the second instance's batch first
                    services.of(each).redirector.flush()
        for each in (spooled, other):
            services.of(each).redirector.flush()
        assert answered == len(moments)
        compared = assert_rollups_match_raw(database_url)
        assert compared > 100
        engine = services.of(spooled).engine
        with engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(scans)).scalar_one()
            visitors = conn.execute(select(func.count()).select_from(rollup_visitors)).scalar_one()
        assert stored == len(moments)
        assert 0 < visitors < stored  # people came back: first-seen kept once per visitor-day
    finally:
        for app in (spooled, other, direct):
            close_app(app)


def test_a_visitor_first_seen_by_a_late_instance_moves_to_the_earlier_hour(app, tmp_path):
    """Instance B spooled 09:05 but is ingested after A's 10:40: unique counts at 09:00."""
    late = make_app(app.config["DATABASE_URL"], tmp_path / "late")
    try:
        code = Api(app).make_link()["code"]
        early, later = NOW.replace(hour=9, minute=5), NOW.replace(hour=10, minute=40)
        for instance, when in ((late, early), (app, later)):
            status = services.of(instance).redirector.scan(
                code, method="GET", headers={"User-Agent": CHROME}, remote_addr="198.51.100.7",
                src=None, now=when,
            )  # fmt: skip
            assert status.status == 302
        services.of(app).redirector.flush()  # 10:40 stored first
        services.of(late).redirector.flush()  # then 09:05
        day = NOW.date().isoformat()
        body = Api(app).get(f"/links/{code}/stats?from={day}&to={day}&bucket=hour").get_json()
        hours = {p["t"][11:13]: (p["scans"], p["unique"]) for p in body["series"]}
        assert hours["09"] == (1, 1) and hours["10"] == (1, 0)
        assert (body["total"], body["unique"]) == (2, 1)
        assert_rollups_match_raw(app.config["DATABASE_URL"])
    finally:
        close_app(late)


def test_deleting_a_link_takes_its_rollups_with_it(any_app, any_api):
    from tests.adminhelp import scan

    code = any_api.make_link()["code"]
    scan(any_app, code, NOW - timedelta(hours=1))
    engine = services.of(any_app).engine
    tables = (rollup_link_slots, rollup_link_dims, rollup_visitors, rollup_link_days)
    with engine.begin() as conn:
        before = [conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables]
        conn.execute(links.delete().where(links.c.code == code))
        after = [conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables]
    assert all(before) and not any(after)


def test_rebuild_command_finds_and_mends_tampered_rollups(any_app, any_api):
    from tests.adminhelp import scan

    code = any_api.make_link()["code"]
    for n in range(5):
        scan(any_app, code, NOW - timedelta(hours=n), ip=f"198.51.100.{n}")
    engine = services.of(any_app).engine
    runner = any_app.test_cli_runner()
    clean = runner.invoke(args=["rebuild-rollups", "--check"])
    assert clean.exit_code == 0, clean.output
    assert "Roll-ups agree with the raw scans." in clean.output

    with engine.begin() as conn:
        conn.execute(update(rollup_link_slots).values(scans=rollup_link_slots.c.scans + 5))
        conn.execute(rollup_link_dims.delete().where(rollup_link_dims.c.dim == "client"))
    checked = runner.invoke(args=["rebuild-rollups", "--check"])
    assert checked.exit_code == 1
    assert "rollup_link_slots: 5 wrong or extra, 5 missing" in checked.output
    assert "rollup_link_dims: 0 wrong or extra, 5 missing" in checked.output
    assert "rollup_visitors: agrees" in checked.output

    mended = runner.invoke(args=["rebuild-rollups"])
    assert mended.exit_code == 0, mended.output
    assert "corrected" in mended.output
    assert runner.invoke(args=["rebuild-rollups", "--check"]).exit_code == 0
    assert_rollups_match_raw(any_app.config["DATABASE_URL"])


def test_upgrading_a_database_with_raw_scans_builds_every_rollup(tmp_path):
    """Migration 0005 empties the old roll-ups; ``flask migrate`` derives them all from raw rows."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate(url, "0004")
    engine = create_engine(url, poolclass=NullPool)
    rng = random.Random(4)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO links (code, url, meta_version, disabled, created_at, updated_at) "
                "VALUES ('old1', 'https://news.example.com/old', 1, 0, :t, :t)"
            ),
            {"t": NOW.replace(tzinfo=None)},
        )
        rows = []
        for n in range(200):
            at = (NOW - timedelta(minutes=rng.randrange(60 * 24 * 20))).replace(tzinfo=None)
            bot = n % 10 == 0
            rows.append({
                "ts": at, "hour": int(at.replace(tzinfo=UTC).timestamp()) // 3600,
                "placement": rng.choice(["qr", "widget"]), "client": "other" if bot else "wechat",
                "platform": "ios", "bot": bot, "ref": rng.choice([None, "t.co"]),
                "ua": "curl/8.0" if bot else WECHAT, "visitor": f"{rng.randrange(30):032x}",
            })  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO scans (link_id, ts, hour, placement, client, platform, is_bot, "
                "referrer_host, user_agent, visitor) SELECT id, :ts, :hour, :placement, :client, "
                ":platform, :bot, :ref, :ua, :visitor FROM links"
            ),
            rows,
        )
    engine.dispose()
    app = make_app(url, tmp_path)
    try:
        result = CliRunner().invoke(migrate_command, obj=_script_info(app))
        assert result.exit_code == 0, result.output
        with services.of(app).engine.connect() as conn:
            days = conn.execute(select(func.sum(rollup_link_days.c.scans))).scalar_one()
        assert days == 180
        assert_rollups_match_raw(url)
    finally:
        close_app(app)


def _script_info(app):
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_a_batch_stored_twice_is_written_once(any_app, any_api):
    """Two ingesters racing over one batch (say, a stopping dedicated ingester's
    leftover thread and its last flush): the position moves from ``start`` once."""
    from share import clock
    from share.storage import ingest as store
    from share.storage.links import get_by_code

    engine = services.of(any_app).engine
    code = any_api.make_link()["code"]
    link_id = get_by_code(engine, code)["id"]
    rows = [
        {"link_id": link_id, "ts": NOW.replace(tzinfo=None) - timedelta(minutes=n), "placement": "qr",
         "client": "wechat", "platform": "ios", "is_bot": False, "referrer_host": None,
         "user_agent": WECHAT, "visitor": f"{n:032x}",
         "hour": int((NOW - timedelta(minutes=n)).timestamp()) // 3600}
        for n in range(5)
    ]  # fmt: skip
    days = clock.SlotDays(any_app.config["TIMEZONE"])
    assert store.ingest(engine, "s1", "f.spool", 0, 500, [dict(r) for r in rows], days) == 5
    assert store.ingest(engine, "s1", "f.spool", 0, 500, [dict(r) for r in rows], days) is None
    assert store.ingest(engine, "s1", "f.spool", 500, 600, [], days) == 0
    assert store.positions(engine, "s1") == {"f.spool": 600}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(scans)).scalar_one() == 5
    assert_rollups_match_raw(any_app.config["DATABASE_URL"])
