"""Redirect benchmark: the recording /s/<code> vs a bare Flask 302 and a raw WSGI 302.

All three run under gunicorn with the same workers on loopback and are
loaded by wrk with the same settings. Prints requests/s, p50/p99, the ratios
(targets: >= 1.2x bare Flask, >= 0.8x raw WSGI, p99 <= 1.5x bare Flask), and
checks that the database ends up with one row per 302 answered (scans go
through the spool, so it waits for the ingester).

    .venv/bin/python bench/bench_redirect.py [--seconds 8] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.load import wrk  # noqa: E402
from share.db import migrate  # noqa: E402
from share.storage.engine import make_engine  # noqa: E402
from share.storage.schema import scans  # noqa: E402
from tests.gunicorn_server import gunicorn, one_link_app, wait_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    migrate(url)
    code, env = one_link_app(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(scans)).scalar_one()

    baselines = {}
    for name, module in (("bare flask", "bare_app:app"), ("raw wsgi", "bare_app:raw")):
        with gunicorn(
            {"PATH": os.environ["PATH"]},
            workers=args.workers,
            extra_args=("--chdir", str(ROOT / "bench"), "--access-logfile", "/dev/null"),
            health="/s/x",
            module=module,
        ) as (base, _):
            baselines[name] = wrk(f"{base}/s/abcdefg", args.seconds, args.connections)
    bare, raw = baselines["bare flask"], baselines["raw wsgi"]

    def stored() -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(scans)).scalar_one() - before

    with gunicorn(env, workers=args.workers, extra_args=("--access-logfile", "/dev/null")) as (
        base,
        _,
    ):
        ours = wrk(f"{base}/s/{code}?src=qr", args.seconds, args.connections)
        answered = ours["requests"] - ours["non_3xx"]
        lag = wait_for(lambda: stored() >= answered, timeout=30)
    rows = stored()
    engine.dispose()

    print(
        f"redirect benchmark ({args.workers} gunicorn workers, wrk -c{args.connections}, "
        f"{args.seconds}s, {engine.dialect.name})"
    )
    print(f"{'':14}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'requests':>10}")
    for name, r in (("bare flask", bare), ("raw wsgi", raw), ("scanshare", ours)):
        print(f"{name:14}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['requests']:>10}")
    print(f"ratio req/s scanshare/bare flask: {ours['rps'] / bare['rps']:.2f} (target >= 1.2)")
    print(f"ratio req/s scanshare/raw wsgi:   {ours['rps'] / raw['rps']:.2f} (target >= 0.8)")
    print(f"ratio p99 scanshare/bare flask:   {ours['p99'] / bare['p99']:.2f} (target <= 1.5)")
    if not lag:
        print("the ingester did not catch up within 30 s")
    # wrk stops with up to one request in flight per connection: those were
    # recorded but their 302 is not in wrk's count.
    ok = answered <= rows <= answered + args.connections
    print(
        f"302s answered: {answered}, scan rows written: {rows} -> "
        + ("every 302 has its row" if ok else "MISMATCH")
        + f" ({rows - answered} rows for requests cut off when wrk stopped, at most "
        f"{args.connections})"
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
