"""Ingestion benchmark: spooled scans moved into each database, scans per second.

Writes N scan records to a fresh spool (as the redirect does: 200 links or ``--links``,
about two scans per visitor, 5 % bots, the last ten minutes), then times one
``Ingester.flush`` that stores them all with their roll-ups, on SQLite and
on PostgreSQL (targets: >= 20,000/s and >= 10,000/s). Also checks the row
count.

``--tick N`` measures the steady state instead, as the dedicated ingester
meets it under load: N scans arrive between two runs, spread over
``--files`` spool files (one per gunicorn worker), and each run ingests
them. It reports the ingesting process's CPU per scan (the budget on the
benchmark's 2 cores is about 70 us) and, on PostgreSQL, the server
backend's CPU per scan too (both share the cores with the workers).

    .venv/bin/python bench/bench_ingest.py [--scans 200000] [--tick 600 --files 2] [--links 1]
        [--engine sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, func, select, text  # noqa: E402

from bench.pg import scratch_schema  # noqa: E402
from share import clock  # noqa: E402
from share.db import migrate  # noqa: E402
from share.links import service as links  # noqa: E402
from share.scans.ingest import DatabaseSink, Ingester  # noqa: E402
from share.scans.spool import Spool, encode  # noqa: E402
from share.storage.engine import make_engine  # noqa: E402
from share.storage.schema import scans  # noqa: E402

LINKS = 200
SPREAD_US = 10 * 60 * 1_000_000  # the scans of the last ten minutes, in time order
CLIENTS = ["wechat"] * 6 + ["browser", "browser", "qq", "weibo"]
PLATFORMS = ["android", "ios", "windows", "macos"]
PLACEMENTS = ["qr", "widget", "card", "print"]
REFERRERS = [None, None, "mp.weixin.qq.com", "www.google.com", "t.co"]
BOTS = ["curl/8.0", "Googlebot/2.1", "facebookexternalhit/1.1"]
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.44"


def lines(ids: list[int], n: int) -> list[bytes]:
    """``n`` spool lines as the redirect writes them, in time order."""
    rng = random.Random(10)
    people = [secrets.token_hex(16) for _ in range(n // 2)]  # about two scans per visitor
    picks = rng.choices(ids, [1 / (i + 1) for i in range(len(ids))], k=n)
    start_us = clock.epoch_micros(clock.now()) - SPREAD_US
    out = []
    for i, link_id in enumerate(picks):
        bot = rng.random() < 0.05
        out.append(
            encode(
                {
                    "link_id": link_id,
                    "ts_us": start_us + i * SPREAD_US // n,
                    "placement": rng.choice(PLACEMENTS),
                    "client": "other" if bot else rng.choice(CLIENTS),
                    "platform": rng.choice(PLATFORMS),
                    "is_bot": bot,
                    "referrer_host": rng.choice(REFERRERS),
                    "user_agent": rng.choice(BOTS) if bot else UA,
                    "visitor": rng.choice(people),
                }
            )
        )
    return out


def run(
    name: str, url: str, n: int, tmp: Path, tick: int = 0, files: int = 2, scanned: int = LINKS
) -> float:
    migrate(url)
    engine = make_engine(url)
    backends = _backend_pids(engine)
    ids = [links.create(engine, f"https://example.com/bench/{i}")[0].id for i in range(LINKS)]
    ids = ids[: max(1, scanned)]
    spool = Spool(tmp / f"spool-{name}")
    days = clock.SlotDays(ZoneInfo("Asia/Shanghai"))
    ingester = Ingester(spool, DatabaseSink(engine, days))
    records = lines(ids, n)
    if tick:
        stored, seconds, cpu, server = _steady(ingester, spool, records, tick, files, backends)
    else:
        for line in records:
            spool.append(line)
        spool.close()
        server0 = _cpu_of(backends)
        started, cpu0 = time.perf_counter(), time.process_time()
        stored = ingester.flush(timeout=300)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu0
        server = _cpu_of(backends) - server0
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(scans)).scalar_one()
    engine.dispose()
    assert stored == rows == n, (stored, rows, n)
    rate = n / seconds
    how = f"runs of {tick} over {files} files" if tick else "one flush"
    print(
        f"  {name:9} {n:,} scans in {seconds:.2f} s ({how}): {rate:,.0f} scans/s; CPU per scan:"
        f" ingester {cpu / n * 1e6:.1f} us"
        + (f", database server {server / n * 1e6:.1f} us" if backends else ""),
        flush=True,
    )
    return rate


def _steady(ingester, spool, records, tick, files, backends):
    """Append ``tick`` lines over ``files`` files, ingest them; repeat. Time only the ingesting."""
    # live pids, so no file is ever sealed (as with running workers)
    pids = [os.getpid(), os.getppid(), 1][:files]
    paths = [spool.folder / f"{time.time_ns() + k}-{pid}.spool" for k, pid in enumerate(pids)]
    stored = 0
    seconds = cpu = server = 0.0
    for first in range(0, len(records), tick):
        batch = records[first : first + tick]
        for k, path in enumerate(paths):
            with open(path, "ab") as fh:
                fh.write(b"".join(batch[k :: len(paths)]))
        server0 = _cpu_of(backends)
        started, cpu0 = time.perf_counter(), time.process_time()
        stored += ingester.run_once(timeout=5)
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu0
        server += _cpu_of(backends) - server0
    return stored, seconds, cpu, server


def _backend_pids(engine) -> set[int]:
    """The PostgreSQL backends serving ``engine`` (when the server runs on this machine)."""
    pids: set[int] = set()
    if engine.dialect.name != "postgresql":
        return pids

    @event.listens_for(engine, "connect")
    def _remember(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("SELECT pg_backend_pid()")
        pids.add(cur.fetchone()[0])
        cur.close()

    with engine.connect() as conn:  # a first connection, so the set is never empty
        conn.execute(text("SELECT 1"))
    return pids if all(Path(f"/proc/{pid}/stat").exists() for pid in pids) else set()


def _cpu_of(pids: set[int]) -> float:
    """CPU seconds (user + system) the processes ``pids`` have used so far."""
    total = 0
    for pid in list(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=200_000)
    parser.add_argument(
        "--tick", type=int, default=0, help="scans per ingest run (steady state); 0: one flush"
    )
    parser.add_argument("--files", type=int, default=2, help="spool files per run (with --tick)")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--links", type=int, default=LINKS, help="links scanned (1: as bench_redirect loads one)"
    )
    args = parser.parse_args()
    print(f"ingestion of {args.scans:,} spooled scans over {args.links} links")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        how = (args.scans, tmp, args.tick, args.files, args.links)
        if args.engine != "postgres":
            run("sqlite", f"sqlite:///{tmp / 'ingest.sqlite3'}", *how)
        if args.engine != "sqlite":
            with scratch_schema() as url:
                if url is not None:
                    run("postgres", url, *how)


if __name__ == "__main__":
    main()
