"""The ingester's cheap path: every spool file in one transaction, rows as plain tuples.

Guards what the faster ingester must keep: one batch covers the news of
every worker's file and moves every position with its rows (both or
neither, once), ``ts`` is stored as exactly the text SQLAlchemy writes, and
spool lines written before the change (``is_bot`` as 0/1) still ingest.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.types import DateTime

from share import clock, services
from share.scans.ingest import DatabaseSink, Ingester
from share.scans.spool import Spool, encode
from share.storage import ingest as store
from share.storage.links import get_by_code
from share.storage.scanrows import stored_ts
from share.storage.schema import scans
from tests.adminhelp import WECHAT
from tests.rollupcheck import assert_rollups_match_raw


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 3, 16, 1),  # a whole second: microseconds still written
        datetime(2026, 12, 3, 16, 1, 59, 999_999),
        datetime(1999, 12, 31, 23, 59, 59, 5),
        datetime(2038, 1, 19, 3, 14, 8, 120_000),
    ],
)
def test_stored_ts_is_the_text_sqlalchemy_writes_on_sqlite(moment):
    """Reads, ``max()`` and the rebuild's ``EXCEPT`` compare ``ts`` as text on SQLite."""
    write = DateTime().dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())
    micros = (moment - datetime(1970, 1, 1)) // timedelta(microseconds=1)
    assert stored_ts(micros) == write(moment)


class Counting:
    """A sink that counts the transactions it is asked for."""

    def __init__(self, sink):
        self.sink, self.calls = sink, []

    def positions(self, spool_id):
        return self.sink.positions(spool_id)

    def store(self, spool_id, moves, values):
        self.calls.append((list(moves), len(values)))
        return self.sink.store(spool_id, moves, values)

    def forget(self, spool_id, file):
        self.sink.forget(spool_id, file)


def _line(link_id: int, at_us: int, n: int, is_bot=False) -> bytes:
    return encode({
        "link_id": link_id, "ts_us": at_us, "placement": "qr", "client": "wechat",
        "platform": "ios", "is_bot": is_bot, "referrer_host": None, "user_agent": WECHAT,
        "visitor": f"{n:032x}",
    })  # fmt: skip


def _files(spool: Spool, link_id: int, per_file: list[int], start_us: int, is_bot=False):
    """Spool files as several live workers leave them (this process's and its parent's pid)."""
    pids = [os.getpid(), os.getppid()]
    n = 0
    for k, count in enumerate(per_file):
        path = spool.folder / f"{1_000 + k}-{pids[k]}.spool"
        with open(path, "ab") as fh:
            for _ in range(count):
                fh.write(_line(link_id, start_us + n * 1_000_000, n, is_bot))
                n += 1
    return n


def test_one_transaction_moves_every_files_position_with_its_rows(any_app, any_api, tmp_path):
    engine = services.of(any_app).engine
    link_id = get_by_code(engine, any_api.make_link()["code"])["id"]
    spool = Spool(tmp_path / "spool")
    sink = Counting(DatabaseSink(engine, clock.SlotDays(any_app.config["TIMEZONE"])))
    ingester = Ingester(spool, sink)
    start = clock.epoch_micros(clock.now()) - 3_600_000_000
    assert _files(spool, link_id, [30, 20], start) == 50

    assert ingester.run_once() == 50
    assert len(sink.calls) == 1  # both files, one transaction
    moves, count = sink.calls[0]
    sizes = {f.name: f.path.stat().st_size for f in spool.files()}
    assert count == 50 and {name: (s, e) for name, s, e in moves} == {
        name: (0, size) for name, size in sizes.items()
    }
    assert store.positions(engine, spool.spool_id) == sizes
    assert ingester.run_once() == 0 and len(sink.calls) == 1  # nothing new: no transaction
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(scans)).scalar_one() == 50
    assert_rollups_match_raw(any_app.config["DATABASE_URL"])


def test_a_batch_over_several_files_is_stored_once(any_app, any_api):
    """If any one file's position moved meanwhile, nothing of the batch is written."""
    engine = services.of(any_app).engine
    link_id = get_by_code(engine, any_api.make_link()["code"])["id"]
    days = clock.SlotDays(any_app.config["TIMEZONE"])
    at = clock.epoch_micros(clock.now()) - 60_000_000
    one = [link_id, at, "qr", "wechat", "ios", False, None, WECHAT, "a" * 32]
    two = [link_id, at + 1, "qr", "wechat", "ios", False, None, WECHAT, "b" * 32]
    assert store.ingest_batch(engine, "s1", [("a.spool", 0, 10)], [one], days) == 1
    moves = [("a.spool", 0, 20), ("b.spool", 0, 10)]  # a.spool is at 10, not 0
    assert store.ingest_batch(engine, "s1", moves, [one, two], days) is None
    moves = [("a.spool", 10, 20), ("b.spool", 0, 10)]
    assert store.ingest_batch(engine, "s1", moves, [two], days) == 1
    assert store.positions(engine, "s1") == {"a.spool": 20, "b.spool": 10}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(scans)).scalar_one() == 2
    assert_rollups_match_raw(any_app.config["DATABASE_URL"])


def test_spool_lines_with_is_bot_as_a_number_still_ingest(any_app, any_api, tmp_path):
    engine = services.of(any_app).engine
    link_id = get_by_code(engine, any_api.make_link()["code"])["id"]
    spool = Spool(tmp_path / "spool")
    ingester = Ingester(spool, DatabaseSink(engine, clock.SlotDays(any_app.config["TIMEZONE"])))
    start = clock.epoch_micros(clock.now()) - 600_000_000
    _files(spool, link_id, [3], start, is_bot=1)
    _files(spool, link_id, [0, 2], start, is_bot=0)
    assert ingester.run_once() == 5
    with engine.connect() as conn:
        bots = conn.execute(select(scans.c.is_bot, func.count()).group_by(scans.c.is_bot)).all()
    assert dict(bots) == {True: 3, False: 2}
    assert_rollups_match_raw(any_app.config["DATABASE_URL"])
