"""Share-hop benchmark: ``GET /t/weibo?url=<registered article>`` against ``GET /s/<code>``.

Both run on one ScanShare under gunicorn as deployed (``deploy/gunicorn.conf.py``),
loaded by wrk with the same settings, taking turns over several rounds (a
shared machine's slow spells hit both); figures are medians. The hop finds
the link by URL (a per-worker memory, fresh for under a second), counts one
share in the database and answers a 302; the scan redirect spools its scan.
Target: the hop costs at most one redirect more, i.e. its req/s at least half
the redirect's. Also checks that every counted hop left exactly one share.

    .venv/bin/python bench/bench_sharehop.py [--seconds 10] [--rounds 3] [--workers 2]
    .venv/bin/python bench/bench_sharehop.py --database-url postgresql+psycopg://…
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.load import median_of, print_medians, wrk  # noqa: E402
from bench.pg import scratch_schema  # noqa: E402
from share.db import migrate  # noqa: E402
from share.storage.engine import make_engine  # noqa: E402
from share.storage.schema import share_clicks  # noqa: E402
from tests.gunicorn_server import gunicorn, one_link_app  # noqa: E402

ARTICLE = "https://example.com/article"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", help="default: a fresh SQLite file, then PostgreSQL")
    args = parser.parse_args()
    if args.database_url:
        run(args, args.database_url)
        return
    run(args, f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
    with scratch_schema() as url:
        if url is not None:
            print()
            run(args, url)


def run(args, url: str) -> None:
    """Load ``/s/<code>`` and ``/t/weibo`` in turns on the database at ``url``; print figures."""
    migrate(url)
    code, env = one_link_app(url, ARTICLE)
    engine = make_engine(url)

    def shares() -> int:
        with engine.connect() as conn:
            total = select(func.coalesce(func.sum(share_clicks.c.shares), 0))
            return int(conn.execute(total).scalar_one())

    paths = {"redirect /s": f"/s/{code}?src=qr", "hop /t/weibo": f"/t/weibo?url={quote(ARTICLE)}"}
    runs: dict[str, list[dict]] = {name: [] for name in paths}
    with gunicorn(env, workers=args.workers, extra_args=("--access-logfile", "/dev/null")) as (
        base,
        _,
    ):
        for _ in range(args.rounds):
            for name, path in paths.items():
                runs[name].append(wrk(base + path, args.seconds, args.connections))
    counted = shares()
    engine.dispose()

    def median(name: str, key: str) -> float:
        return median_of(runs, name, key)

    print(
        f"share-hop benchmark ({args.workers} gunicorn workers as deployed; wrk "
        f"-c{args.connections}, {args.rounds} rounds of {args.seconds}s each, "
        f"{engine.dialect.name}; medians)"
    )
    print_medians(runs)
    ratio = median("hop /t/weibo", "rps") / median("redirect /s", "rps")
    p99 = median("hop /t/weibo", "p99") / median("redirect /s", "p99")
    print(f"ratio req/s hop/redirect: {ratio:.2f} (target >= 0.5: at most one redirect's cost)")
    print(f"ratio p99 hop/redirect:   {p99:.2f}")
    hops = runs["hop /t/weibo"]
    answered = sum(r["requests"] - r["non_3xx"] for r in hops)
    slack = args.connections * args.rounds  # cut off in flight when wrk stopped
    ok = answered <= counted <= answered + slack
    print(
        f"hops answered: {answered}, shares counted: {counted} -> "
        + ("every hop counted once" if ok else "MISMATCH")
    )
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
