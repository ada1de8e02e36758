"""Slow clients against gunicorn without a proxy: does ``/healthz`` still answer?

Starts ScanShare under gunicorn as deployed (``deploy/gunicorn.conf.py``),
opens N slowloris connections (a request line and part of a header, then one
more header byte every few seconds, never the blank line that ends the head)
and meanwhile times several ``GET /healthz`` probes and ``/s/<code>``
redirects, each on a fresh connection with a timeout. Prints p50/max per N,
for the deployed worker settings and for each ``--compare`` setting given,
e.g. the old sync workers::

    .venv/bin/python bench/bench_slowloris.py
    .venv/bin/python bench/bench_slowloris.py --compare "--worker-class sync --threads 1"
    .venv/bin/python bench/bench_slowloris.py --body   # slow POST bodies instead of heads

A probe that times out counts as the timeout (so "max 5000 ms" with a 5 s
timeout means it never answered), and the timeouts are counted.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from share.db import migrate  # noqa: E402
from tests.gunicorn_server import Slowloris, gunicorn, one_link_app  # noqa: E402


def probe(url: str, timeout: float) -> float:
    """Seconds until ``url`` answered on a new connection (``timeout`` if it did not)."""
    started = time.perf_counter()
    try:
        requests.get(url, timeout=timeout, allow_redirects=False, headers={"Connection": "close"})
    except requests.RequestException:
        return timeout
    return time.perf_counter() - started


def measure(base: str, path: str, probes: int, timeout: float) -> dict:
    times = [probe(base + path, timeout) for _ in range(probes)]
    return {
        "p50": statistics.median(times) * 1000,
        "max": max(times) * 1000,
        "timeouts": sum(t >= timeout for t in times),
    }


def run(label: str, extra: tuple[str, ...], env: dict, code: str, args) -> None:
    print(
        f"{label}: gunicorn --workers {args.workers} -c deploy/gunicorn.conf.py {' '.join(extra)}"
    )
    print(
        f"{'slow conns':>10}  {'/healthz p50':>12} {'max':>8}  {'/s/<code> p50':>13} {'max':>8}  left open"
    )
    for n in args.n:
        with (
            gunicorn(env, workers=args.workers, extra_args=("--access-logfile", "/dev/null", *extra))
            as (base, _),
        ):  # fmt: skip
            host, port = base.removeprefix("http://").split(":")
            with Slowloris((host, int(port)), n, args.every, args.pipelined, args.body) as slow:
                health = measure(base, "/healthz", args.probes, args.timeout)
                scan = measure(base, f"/s/{code}?src=slowloris", args.probes, args.timeout)
                left = slow.alive()
        cells = []
        for figures in (health, scan):
            timeouts = f" ({figures['timeouts']} timed out)" if figures["timeouts"] else ""
            cells.append(f"{figures['p50']:>9.0f} ms {figures['max']:>5.0f} ms{timeouts}")
        print(f"{n:>10}  {cells[0]:>21}  {cells[1]:>22}  {left}/{n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[2, 10, 50])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--probes", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between slow bytes")
    parser.add_argument(
        "--pipelined",
        action="store_true",
        help="every other slow connection sends a whole request before its partial head",
    )
    parser.add_argument(
        "--body",
        action="store_true",
        help="slow POSTs instead: a whole head announcing a body, then the body dripped",
    )
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        help='other gunicorn worker settings to measure too, e.g. "--worker-class sync"',
    )
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp()}/slowloris.sqlite3"
    migrate(url)
    code, env = one_link_app(url)
    run("as deployed", (), env, code, args)
    for other in args.compare:
        print()
        run("compared", tuple(shlex.split(other)), env, code, args)


if __name__ == "__main__":
    main()
