"""The scan pipeline under faults: every 302 answered, every scan stored exactly once.

Each request carries its own placement tag (``?src=t123``), so the stored
rows say exactly which scans arrived: none may be missing for a 302 that
was answered, and none may be there twice. Faults, on both engines:

- the database away for 10 s under load (SQLite locked by another writer;
  PostgreSQL unreachable through a TCP proxy the test cuts — never by
  stopping the shared server);
- ``kill -9`` of the worker holding the ingest lock while it ingests a
  backlog, several times in a row;
- two app instances (two gunicorns, two instance folders) on one PostgreSQL
  and one Redis: scans of both counted once, rate limits shared.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from share.db import migrate
from share.storage.schema import scans
from tests.gunicorn_server import gunicorn, ingest_lock_holder, one_link_app, wait_for
from tests.rollupcheck import assert_rollups_match_raw
from tests.tcpproxy import TcpProxy

pytestmark = pytest.mark.slow
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


class Tagged:
    """Scans with a unique ``src`` each, and what each one got."""

    def __init__(self, base: str, code: str):
        self.base, self.code = base, code
        self.results: dict[str, int | str] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._local = threading.local()

    def _tag(self) -> str:
        with self._lock:
            self._next += 1
            return f"t{self._next}"

    def one(self, _=None) -> None:
        tag = self._tag()
        session = getattr(self._local, "s", None) or requests.Session()
        self._local.s = session
        try:
            status = session.get(
                f"{self.base}/s/{self.code}?src={tag}",
                headers={"User-Agent": CHROME},
                allow_redirects=False,
                timeout=10,
            ).status_code
        except requests.RequestException:
            status = "error"
        with self._lock:
            self.results[tag] = status

    def fire(self, n: int, threads: int = 8) -> None:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(self.one, range(n)))

    def until(self, stop: threading.Event, threads: int = 8) -> threading.Thread:
        """Keep scanning from ``threads`` threads until ``stop`` is set."""

        def loop():
            while not stop.is_set():
                self.one()

        workers = [threading.Thread(target=loop) for _ in range(threads)]
        for w in workers:
            w.start()
        joiner = threading.Thread(target=lambda: [w.join() for w in workers])
        joiner.start()
        return joiner

    @property
    def answered(self) -> set[str]:
        return {t for t, s in self.results.items() if s == 302}


def stored_tags(url: str) -> Counter:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        tags = Counter(conn.execute(select(scans.c.placement)).scalars())
    engine.dispose()
    return tags


def assert_exactly_once(url: str, scans_: Tagged) -> None:
    """Every answered 302 stored once; nothing twice; nothing nobody sent."""
    answered = scans_.answered
    wait_for(lambda: answered <= set(stored_tags(url)), timeout=20)
    stored = stored_tags(url)
    missing = answered - set(stored)
    doubled = {t: n for t, n in stored.items() if n > 1}
    assert not missing, f"{len(missing)} answered scans never stored"
    assert not doubled, f"scans stored twice: {list(doubled)[:5]}"
    errors = {t for t, s in scans_.results.items() if s == "error"}
    assert set(stored) <= answered | errors


class Outage:
    """Take the database away from the app and bring it back, per engine."""

    def __init__(self, engine_name: str, url: str):
        self.engine_name, self.url = engine_name, url
        self.proxy = None
        self.blocker = None
        if engine_name == "postgres":
            parts = urlsplit(url)
            self.proxy = TcpProxy((parts.hostname, parts.port or 5432))
            netloc = f"{parts.username}@127.0.0.1:{self.proxy.port}"
            self.app_url = urlunsplit(parts._replace(netloc=netloc))
        else:
            self.app_url = url

    def start(self) -> None:
        if self.proxy is not None:
            self.proxy.cut()
        else:
            self.blocker = sqlite3.connect(
                self.url.removeprefix("sqlite:///"), isolation_level=None, timeout=30
            )
            self.blocker.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        if self.proxy is not None:
            self.proxy.restore()
        else:
            self.blocker.execute("ROLLBACK")
            self.blocker.close()

    def close(self) -> None:
        if self.proxy is not None:
            self.proxy.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    """``(engine name, URL)``: a migrated SQLite file, or a schema on the real PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        migrate(url)
        return "sqlite", url
    return "postgres", request.getfixturevalue("postgres_url")


def test_database_away_for_10_seconds_under_load(database):
    """SQLite locked by another writer / PostgreSQL unreachable: 302s go on, scans wait."""
    name, url = database
    outage = Outage(name, url)
    code, env = one_link_app(url)
    env["SHARE_DATABASE_URL"] = outage.app_url
    try:
        with gunicorn(env, workers=4) as (base, _):
            load = Tagged(base, code)
            load.fire(400)  # every worker has met the code
            stop = threading.Event()
            outage.start()
            try:
                running = load.until(stop)
                time.sleep(5)
                health = requests.get(f"{base}/healthz", timeout=10).json()
                time.sleep(5)
            finally:
                outage.end()
            stop.set()
            running.join()
            assert_exactly_once(url, load)
            settled = requests.get(f"{base}/healthz", timeout=10).json()
    finally:
        outage.close()
    assert all(s == 302 for s in load.results.values()), Counter(load.results.values())
    assert len(load.answered) > 1000
    assert health["spool"]["records"] > 0 and health["spool"]["oldest_age_seconds"] > 1
    assert health["status"] == "ok"  # the scans are safe; 503 only past SPOOL_MAX_AGE
    assert settled["spool"]["records"] == 0
    assert_rollups_match_raw(url)


def test_kill_9_of_the_ingesting_worker_loses_and_doubles_nothing(database):
    """A backlog builds while the database is away; the worker ingesting it is killed, thrice."""
    name, url = database
    outage = Outage(name, url)
    code, env = one_link_app(url)
    env["SHARE_DATABASE_URL"] = outage.app_url
    instance = env["SHARE_INSTANCE_PATH"]
    killed = 0
    try:
        with gunicorn(env, workers=4) as (base, proc):
            load = Tagged(base, code)
            load.fire(400)
            outage.start()
            try:
                load.fire(4000)
            finally:
                outage.end()
            for _ in range(3):
                holder = wait_for(lambda: ingest_lock_holder(instance), timeout=5, interval=0.002)
                if holder and holder != proc.pid:
                    os.kill(holder, signal.SIGKILL)
                    killed += 1
            assert_exactly_once(url, load)
    finally:
        outage.close()
    assert killed >= 1
    assert len(load.answered) == 4400
    assert_rollups_match_raw(url)


def test_two_instances_on_one_postgresql_and_redis(postgres_url, tmp_path):
    """Each instance has its own spool and ingester; the limits live in Redis."""
    redis_url = os.environ.get("SHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(redis_url).ping()
    except Exception as exc:  # noqa: BLE001
        from tests.conftest import missing

        missing(f"Redis not reachable at {redis_url}: {type(exc).__name__}")
    redis.Redis.from_url(redis_url).flushdb()
    code, env = one_link_app(postgres_url)
    shared = {"SHARE_REDIS_URL": redis_url, "SHARE_SHARE_RATE_LIMIT": "6 per minute"}
    first = {**env, **shared}
    second = {**env, **shared, "SHARE_INSTANCE_PATH": str(tmp_path / "second")}
    with gunicorn(first, workers=2) as (base_a, _), gunicorn(second, workers=2) as (base_b, _):
        a, b = Tagged(base_a, code), Tagged(base_b, code)
        a.fire(500)
        b.fire(500)
        limited = [
            requests.get(f"{base}/qr.png?url=https://example.com/x", timeout=10).status_code
            for base in (base_a, base_b) * 5
        ]
        a_rows = wait_for(lambda: sum(stored_tags(postgres_url).values()) >= 1000, timeout=15)
    assert a_rows
    stored = stored_tags(postgres_url)
    assert sum(stored.values()) == 1000 and len(stored) == 500
    assert all(n == 2 for n in stored.values())  # tag tN once from each instance
    assert_rollups_match_raw(postgres_url)
    assert limited.count(200) == 6 and limited.count(429) == 4
