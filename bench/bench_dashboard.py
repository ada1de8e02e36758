"""Dashboard benchmark: 1,000,000 scans over 1,000 links and 90 days, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_dashboard.py [--scans N] [--only sqlite|postgres]

Seeds with a bulk loader (one ``executemany`` transaction on SQLite, ``COPY``
on PostgreSQL — not the HTTP path), logs in as an admin, then times through
the real app (Flask test client, full stack): the overview page, one
article page, its JSON twin and the public stats API; median of 10 each.
The first overview builds the roll-ups for all 90 days; it is reported
apart as "cold". Target: every warm median <= 300 ms on SQLite.
PostgreSQL runs in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from bench.pg import scratch_schema  # noqa: E402
from share import clock, create_app, services  # noqa: E402
from share.access.apikeys import create as create_key  # noqa: E402
from share.db import migrate  # noqa: E402
from share.links.codes import ALPHABET  # noqa: E402
from tests.adminhelp import AdminClient  # noqa: E402

LINKS, DAYS, RUNS = 1000, 90, 10
CLIENTS = ["wechat"] * 6 + ["browser"] * 2 + ["qq", "weibo", "other"]
PLACEMENTS = ["qr", "widget", "card", "print", "link"]
PLATFORMS = ["android", "ios", "windows", "macos"]


def rows(n: int, link_ids: list[int], now: datetime):
    rng = random.Random(7)
    weights = [1 / (i + 1) ** 0.8 for i in range(len(link_ids))]
    picks = rng.choices(link_ids, weights, k=n)
    start = now.timestamp() - DAYS * 86400
    visitors = [secrets.token_hex(16) for _ in range(50_000)]
    for link_id in picks:
        ts = start + rng.random() * DAYS * 86400
        bot = rng.random() < 0.08
        yield (
            link_id,
            datetime.fromtimestamp(ts, UTC).replace(tzinfo=None),
            int(ts // 3600),
            rng.choice(PLACEMENTS),
            "other" if bot else rng.choice(CLIENTS),
            rng.choice(PLATFORMS),
            bot,
            rng.choice([None, "mp.weixin.qq.com", "www.google.com"]),
            "Mozilla/5.0 (bench)" if not bot else "curl/8.0",
            rng.choice(visitors),
        )


def code(i: int) -> str:
    """A valid short code for link ``i`` (codes use an alphabet without 0/1)."""
    digits = []
    for _ in range(5):
        i, d = divmod(i, len(ALPHABET))
        digits.append(ALPHABET[d])
    return "bn" + "".join(reversed(digits))


HOT = code(0)
COLS = "link_id, ts, hour, placement, client, platform, is_bot, referrer_host, user_agent, visitor"


def seed(engine, n: int, now: datetime) -> None:
    with engine.begin() as conn:
        t = now.replace(tzinfo=None)
        conn.execute(
            text(
                "INSERT INTO links (code, url, title, meta_version, disabled, created_at, updated_at) "
                "VALUES (:c, :u, :t, 1, false, :now, :now)"
            ),
            [
                {
                    "c": code(i),
                    "u": f"https://news.example.com/{i}",
                    "t": f"Story {i}",
                    "now": t,
                }
                for i in range(LINKS)
            ],
        )
        ids = [r[0] for r in conn.execute(text("SELECT id FROM links ORDER BY id"))]
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY scans ({COLS}) FROM STDIN") as copy:
                for row in rows(n, ids, now):
                    copy.write_row(row)
        else:
            cur.execute("BEGIN")
            cur.executemany(f"INSERT INTO scans ({COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            rows(n, ids, now))  # fmt: skip
        raw.commit()
        if engine.dialect.name == "postgresql":
            cur.execute("ANALYZE scans")
        else:
            cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def timed(client, path: str, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, headers={"Accept-Language": "zh-CN"})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times)


def run(name: str, url: str, tmp: Path, n: int) -> dict[str, float]:
    migrate(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PUBLIC_URL": "http://s.test",
                      "INSTANCE_PATH": str(tmp / f"instance-{name}")})  # fmt: skip
    engine = services.of(app).engine
    now = NOW
    start = time.perf_counter()
    seed(engine, n, now)
    print(f"[{name}] seeded {n:,} scans in {time.perf_counter() - start:.1f} s", flush=True)
    admin = AdminClient(app)
    admin.login()
    key = create_key(engine, "bench")
    out = {"overview cold (roll-ups built)": timed(admin.client, "/admin/", runs=1)}
    out["overview"] = timed(admin.client, "/admin/")
    out["overview 90d chart"] = timed(admin.client, "/admin/?chart=90d&sort=scans_all")
    out["overview.json"] = timed(admin.client, "/admin/overview.json")
    out["article page"] = timed(admin.client, f"/admin/a/{HOT}")
    out["article page 90d"] = timed(admin.client, f"/admin/a/{HOT}?range=90d")
    out["article .json"] = timed(admin.client, f"/admin/a/{HOT}.json")
    api = app.test_client()
    auth = {"Authorization": f"Bearer {key}"}
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        assert api.get(f"/api/v1/links/{HOT}/stats", headers=auth).status_code == 200
        times.append((time.perf_counter() - t0) * 1000)
    out["api stats JSON"] = statistics.median(times)
    engine.dispose()
    return out


#: The benchmark's "now", injected through share.clock so runs are comparable.
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def main() -> None:
    with clock.frozen(NOW):
        _main()


def _main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.only in (None, "sqlite"):
            results["sqlite"] = run("sqlite", f"sqlite:///{tmp / 'bench.sqlite3'}", tmp, args.scans)
        if args.only in (None, "postgres"):
            with scratch_schema() as url:
                if url is not None:
                    results["postgres"] = run("postgres", url, tmp, args.scans)
    print(f"\nmedian of {RUNS} requests (ms), {args.scans:,} scans, {LINKS} links, {DAYS} days")
    for name, figures in results.items():
        for label, ms in figures.items():
            flag = "" if name != "sqlite" or "cold" in label or ms <= 300 else "  OVER TARGET"
            print(f"  {name:9} {label:32} {ms:8.1f}{flag}")


if __name__ == "__main__":
    main()
