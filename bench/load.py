"""Shared load-generation helpers for the HTTP benchmarks (wrk on loopback)."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess

UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.44"


def wrk(url: str, seconds: int = 8, connections: int = 16, threads: int = 2) -> dict:
    """Run wrk against ``url``; return requests/s, p50/p99 in ms and counts."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed for this benchmark: apt-get install wrk")
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"User-Agent: {UA}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": rps,
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "requests": total,
        "non_3xx": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, errors.groups())) if errors else 0,
    }


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def median_of(runs: dict[str, list[dict]], name: str, key: str) -> float:
    """The median of one figure (``rps``, ``p50``, ``p99``) over an app's rounds."""
    return statistics.median(r[key] for r in runs[name])


def print_medians(runs: dict[str, list[dict]]) -> None:
    """One line per app: median req/s, p50 and p99 in ms, and req/s round by round."""
    print(f"{'':14}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}   req/s by round")
    for name in runs:
        by_round = " ".join(f"{r['rps']:.0f}" for r in runs[name])
        print(
            f"{name:14}{median_of(runs, name, 'rps'):>10.0f}{median_of(runs, name, 'p50'):>10.2f}"
            f"{median_of(runs, name, 'p99'):>10.2f}   {by_round}"
        )
