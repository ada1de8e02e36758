"""The app under gunicorn: concurrent scans, killed workers, no IP in logs."""

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.pool import NullPool

from share.db import migrate
from share.storage.schema import scans
from tests.gunicorn_server import gunicorn, one_link_app, wait_for, worker_pids
from tests.rollupcheck import assert_rollups_match_raw

pytestmark = pytest.mark.slow
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


@pytest.fixture
def served(tmp_path):
    """A migrated SQLite file with one link, and the env to serve it."""
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    migrate(url)
    return _serve(url)


@pytest.fixture(params=["sqlite", "postgres"])
def served_any(request, tmp_path):
    """Like ``served``, on each engine in turn (PostgreSQL: a schema of its own)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        migrate(url)
    else:
        url = request.getfixturevalue("postgres_url")
    return _serve(url)


def _serve(url):
    code, env = one_link_app(url)
    return url, code, env


def count_rows(url):
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(scans)).scalar_one()
    engine.dispose()
    return n


def fire(base, code, n, threads=8, stop=None):
    """Send ``n`` scans from ``threads`` threads; return the status codes seen."""
    local = threading.local()

    def one(_):
        if stop is not None and stop.is_set():
            return None
        session = getattr(local, "s", None) or requests.Session()
        local.s = session
        try:
            return session.get(
                f"{base}/s/{code}?src=print",
                headers={"User-Agent": CHROME},
                allow_redirects=False,
                timeout=10,
            ).status_code
        except requests.RequestException:
            return "error"

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(n)))


def test_2000_scans_from_8_threads_on_4_workers_give_2000_rows(served_any):
    url, code, env = served_any
    with gunicorn(env, workers=4) as (base, _):
        statuses = fire(base, code, 2000)
        # spooled scans reach the database within about a second
        assert wait_for(lambda: count_rows(url) >= 2000, timeout=10)
    assert statuses.count(302) == 2000
    assert count_rows(url) == 2000  # and none twice, also after the workers' exit
    assert_rollups_match_raw(url)


def test_every_answered_302_survives_kill_9_of_a_worker(served_any):
    url, code, env = served_any
    with gunicorn(env, workers=4) as (base, proc):
        results = []
        stop = threading.Event()

        def load():
            results.extend(fire(base, code, 3000, threads=8, stop=stop))

        loader = threading.Thread(target=load)
        loader.start()
        deadline = time.monotonic() + 30
        while count_rows(url) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in worker_pids(proc.pid)[:2]:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        stop.set()
        loader.join()
        answered = results.count(302)
        # the killed workers' spool files are ingested by the survivors
        wait_for(lambda: count_rows(url) >= answered, timeout=15)
    assert answered >= 200
    rows = count_rows(url)
    # Every 302 has its row; a row may exist whose 302 died with its worker.
    assert answered <= rows <= answered + results.count("error")
    assert_rollups_match_raw(url)  # the roll-ups count exactly the rows that were stored


def test_forwarded_ip_never_reaches_database_or_logs(served, tmp_path):
    url, code, env = served
    log = tmp_path / "gunicorn.log"
    with gunicorn({**env, "SHARE_PROXY_COUNT": "1"}, workers=2, log_path=log) as (base, _):
        response = requests.get(
            f"{base}/s/{code}",
            allow_redirects=False,
            headers={"X-Forwarded-For": "203.0.113.77", "User-Agent": CHROME},
        )
        assert response.status_code == 302
        missing = requests.get(f"{base}/s/zzzzzzz", headers={"X-Forwarded-For": "203.0.113.77"})
        assert missing.status_code == 404
        assert wait_for(lambda: count_rows(url) == 1, timeout=10)
    for spooled in Path(env["SHARE_INSTANCE_PATH"]).rglob("*.spool"):
        assert b"203.0.113.77" not in spooled.read_bytes()
    assert "203.0.113.77" not in log.read_text()
    assert "GET /s/" in log.read_text()  # the access log did run
    db_file = url.removeprefix("sqlite:///")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db_file + suffix):
            with open(db_file + suffix, "rb") as fh:
                assert b"203.0.113.77" not in fh.read()
