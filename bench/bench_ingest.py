"""Ingestion benchmark: spooled scans moved into each database, scans per second.

Writes N scan records to a fresh spool (as the redirect does), then times
one ``Ingester.flush`` that stores them all, on SQLite and on PostgreSQL
(targets: >= 20,000/s and >= 10,000/s). Also checks the row count.

    .venv/bin/python bench/bench_ingest.py [--scans 200000]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from bench.pg import scratch_schema  # noqa: E402
from share import clock  # noqa: E402
from share.db import migrate  # noqa: E402
from share.links import service as links  # noqa: E402
from share.scans.ingest import Ingester  # noqa: E402
from share.scans.spool import Spool, encode  # noqa: E402
from share.storage.engine import make_engine  # noqa: E402
from share.storage.schema import scans  # noqa: E402

UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.44"


def run(name: str, url: str, n: int, tmp: Path) -> float:
    migrate(url)
    engine = make_engine(url)
    link, _ = links.create(engine, "https://example.com/bench")
    spool = Spool(tmp / f"spool-{name}")
    start_us = clock.epoch_micros(clock.now())
    for i in range(n):
        spool.append(
            encode(
                {
                    "link_id": link.id,
                    "ts_us": start_us + i,
                    "placement": "qr",
                    "client": "wechat",
                    "platform": "ios",
                    "is_bot": False,
                    "referrer_host": None,
                    "user_agent": UA,
                    "visitor": secrets.token_hex(16),
                }
            )
        )
    spool.close()
    started = time.perf_counter()
    stored = Ingester(spool, engine).flush(timeout=60)
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
