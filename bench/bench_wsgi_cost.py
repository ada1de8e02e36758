"""What each redirect app costs per request on its own, with no server around it.

``bench_redirect.py`` measures the three apps under gunicorn and wrk, where
the server's own work (accepting a connection, parsing the head, a thread
hand-off, closing) is paid by all three alike and sets a ceiling: no app can
beat bare Flask by more than raw WSGI does. This script takes the server
away and calls each WSGI callable directly with the same request, so the
figure is the app's own cost: ScanShare's includes finding the link,
classifying the user agent, the visitor hash and the spool ``write()``
(its ingest thread runs meanwhile, as in a worker). Interleaved rounds,
medians; instructions are what matter, so a busy machine moves all three.

    .venv/bin/python bench/bench_wsgi_cost.py [--calls 20000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from share.db import migrate  # noqa: E402
from tests.gunicorn_server import one_link_app  # noqa: E402

PERSON = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0"


def _environ(path: str) -> dict:
    return {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": "src=qr",
        "HTTP_USER_AGENT": PERSON,
        "HTTP_HOST": "s.test",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_NAME": "s.test",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": None,
        "wsgi.errors": sys.stderr,
    }


def _start_response(status, headers, exc_info=None):
    if not status.startswith("302"):
        raise SystemExit(f"expected a 302, got {status}")


def _per_call(app, path: str, calls: int) -> float:
    """Microseconds per call of ``app`` for ``path`` (body consumed, as a server does)."""
    started = time.perf_counter()
    for _ in range(calls):
        body = app(_environ(path), _start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    migrate(url)
    code, env = one_link_app(url)
    os.environ.update(env)
    from bare_app import app as bare  # noqa: PLC0415
    from bare_app import raw  # noqa: PLC0415

    import app as scanshare  # noqa: PLC0415 - configured by the environment set just above

    apps = {
        "bare flask": (bare, "/s/abcdefg"),
        "raw wsgi": (raw, "/s/abcdefg"),
        "scanshare": (scanshare.app, f"/s/{code}"),
    }
    for app, path in apps.values():  # warm: imports, the link in memory, the spool file open
        _per_call(app, path, 500)
    figures: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(args.rounds):
        for name, (app, path) in apps.items():
            figures[name].append(_per_call(app, path, args.calls))
    print(f"WSGI cost per request, no server ({args.calls} calls x {args.rounds} rounds, medians)")
    for name, values in figures.items():
        print(f"{name:<12} {statistics.median(values):8.1f} us")
    ours, bare_us = (
        statistics.median(figures["scanshare"]),
        statistics.median(figures["bare flask"]),
    )
    print(
        f"bare flask / scanshare: {bare_us / ours:.2f}x (scanshare's recording path is this much cheaper)"
    )


if __name__ == "__main__":
    main()
