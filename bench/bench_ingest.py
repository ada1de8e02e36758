"""Ingestion benchmark: spooled scans moved into each database, scans per second.

Writes N scan records to a fresh spool (as the redirect does: 200 links,
about two scans per visitor, 5 % bots, the last ten minutes), then times one
``Ingester.flush`` that stores them all with their roll-ups, on SQLite and
on PostgreSQL (targets: >= 20,000/s and >= 10,000/s). Also checks the row
count.

    .venv/bin/python bench/bench_ingest.py [--scans 200000]
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

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


def run(name: str, url: str, n: int, tmp: Path) -> float:
    migrate(url)
    engine = make_engine(url)
    ids = [links.create(engine, f"https://example.com/bench/{i}")[0].id for i in range(LINKS)]
    spool = Spool(tmp / f"spool-{name}")
    rng = random.Random(10)
    people = [secrets.token_hex(16) for _ in range(n // 2)]  # about two scans per visitor
    picks = rng.choices(ids, [1 / (i + 1) for i in range(LINKS)], k=n)
    start_us = clock.epoch_micros(clock.now()) - SPREAD_US
    for i, link_id in enumerate(picks):
        bot = rng.random() < 0.05
        spool.append(
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
    spool.close()
    started = time.perf_counter()
    days = clock.SlotDays(ZoneInfo("Asia/Shanghai"))
    stored = Ingester(spool, DatabaseSink(engine, days)).flush(timeout=300)
    seconds = time.perf_counter() - started
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(scans)).scalar_one()
    engine.dispose()
    assert stored == rows == n, (stored, rows, n)
    rate = n / seconds
    print(f"  {name:9} {n:,} scans in {seconds:.2f} s: {rate:,.0f} scans/s", flush=True)
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=200_000)
    args = parser.parse_args()
    print(f"ingestion of {args.scans:,} spooled scans (one flush)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run("sqlite", f"sqlite:///{tmp / 'ingest.sqlite3'}", args.scans, tmp)
        with scratch_schema() as url:
            if url is not None:
                run("postgres", url, args.scans, tmp)


if __name__ == "__main__":
    main()
