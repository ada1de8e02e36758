"""``flask ingest``: a dedicated ingester process that keeps the spool's lock.

Run as a real subprocess on a real spool: it ingests what waits and what
arrives, readers do not wait for the lock it keeps, and SIGTERM makes it
ingest the rest and hand the lock back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from share import clock
from share.db import migrate
from share.scans.ingest import DatabaseSink, Ingester
from share.scans.spool import Spool, encode, folder_for
from share.storage.links import get_by_code
from share.storage.schema import scans
from tests.gunicorn_server import ROOT, one_link_app, wait_for
from tests.rollupcheck import assert_rollups_match_raw


def _count(url: str) -> int:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(scans)).scalar_one()
    engine.dispose()
    return n


def _spool_scans(spool: Spool, link_id: int, n: int, start_us: int) -> None:
    for i in range(n):
        spool.append(encode({
            "link_id": link_id, "ts_us": start_us + i * 1_000_000, "placement": "qr",
            "client": "wechat", "platform": "ios", "is_bot": False, "referrer_host": None,
            "user_agent": "MicroMessenger/8.0", "visitor": f"{i % 7:032x}",
        }))  # fmt: skip


def _flask(env: dict, *args: str) -> subprocess.Popen:
    full = {k: v for k, v in os.environ.items() if not k.startswith("SHARE_")} | env
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_dedicated_ingester_keeps_the_lock_and_hands_it_back(tmp_path, frozen):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrate(url)
    code, env = one_link_app(url)
    engine = create_engine(url, poolclass=NullPool)
    link_id = get_by_code(engine, code)["id"]
    engine.dispose()
    spool = Spool(folder_for(env["SHARE_INSTANCE_PATH"], url))
    start = clock.epoch_micros(frozen.now())
    _spool_scans(spool, link_id, 300, start)  # waiting before the ingester starts

    proc = _flask(env, "ingest")
    try:
        assert wait_for(lambda: _count(url) == 300, timeout=20)
        assert wait_for(lambda: spool.kept_by() == proc.pid, timeout=5)
        reader = Ingester(spool, DatabaseSink(None, clock.SlotDays(clock.UTC_ZONE)))
        began = time.monotonic()
        assert reader.flush(timeout=10) == 0  # a reader does not queue for the kept lock
        assert time.monotonic() - began < 1
        with spool.ingest_lock(timeout=0.3) as held:
            assert held is False
        _spool_scans(spool, link_id, 200, start + 400_000_000)  # arriving while it runs
        assert wait_for(lambda: _count(url) == 500, timeout=10)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert spool.kept_by() is None
    with spool.ingest_lock(timeout=1) as held:
        assert held is True
    spool.close()
    assert _count(url) == 500
    assert_rollups_match_raw(url)


def test_ingest_refuses_without_a_spool(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrate(url)
    _code, env = one_link_app(url)
    proc = _flask({**env, "SHARE_SCAN_SPOOL": "false"}, "ingest")
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode != 0
    assert "SHARE_SCAN_SPOOL is off" in out
    assert "Traceback" not in out


def test_the_ingester_stops_when_the_gunicorn_master_is_killed(tmp_path):
    """``deploy/gunicorn.conf.py`` ties the ingester to the master (PR_SET_PDEATHSIG)."""
    from tests.gunicorn_server import gunicorn, ingest_lock_holder

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrate(url)
    _code, env = one_link_app(url)
    with gunicorn(env, workers=1) as (_base, master):
        ingester = wait_for(lambda: ingest_lock_holder(env["SHARE_INSTANCE_PATH"]), timeout=15)
        assert ingester and ingester != master.pid
        os.kill(master.pid, signal.SIGKILL)
        master.wait(timeout=10)

        def gone():
            try:
                os.kill(ingester, 0)
            except ProcessLookupError:
                return True
            with open(f"/proc/{ingester}/stat") as stat:
                return stat.read().split()[2] == "Z"  # exited, waiting to be reaped

        assert wait_for(gone, timeout=20)
