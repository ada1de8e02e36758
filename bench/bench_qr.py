"""QR benchmark: cold render vs the bare ``qrcode`` call, and warm requests/s.

Cold: median time to render a PNG of a fresh short URL through ScanShare's
pipeline (options, matrix, writer) against ``qrcode.make(text).save(buf)``
for the same texts in the same run. Warm: requests/s of one cached QR URL
under gunicorn, loaded by wrk.

    .venv/bin/python bench/bench_qr.py
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import qrcode  # noqa: E402

from bench.load import wrk  # noqa: E402
from share.db import migrate  # noqa: E402
from share.qr import code as qr  # noqa: E402
from tests.gunicorn_server import gunicorn, one_link_app  # noqa: E402

N = 200


def median_ms(fn, texts) -> float:
    times = []
    for text in texts:
        start = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def ours(text: str) -> bytes:
    return qr.render(text, qr.QrOptions.from_query({"size": "300"}), "png")


def bare(text: str) -> bytes:
    buf = io.BytesIO()
    qrcode.make(text).save(buf)
    return buf.getvalue()


def main() -> None:
    texts = [f"https://s.example.com/s/Ab{i:05d}x?src=qr" for i in range(N)]
    ours(texts[0]), bare(texts[0])  # imports and lazy tables
    # interleave the two so drift in machine load hits both alike
    t_ours = median_ms(ours, texts[::2])
    t_bare = median_ms(bare, texts[::2])
    t_ours = (t_ours + median_ms(ours, texts[1::2])) / 2
    t_bare = (t_bare + median_ms(bare, texts[1::2])) / 2
    print(f"QR cold render, median over {N} texts, 300 px PNG")
    print(f"  scanshare  {t_ours:7.2f} ms")
    print(f"  qrcode.make {t_bare:6.2f} ms")
    print(f"  ratio {t_ours / t_bare:.2f} (target <= 1.1)")

    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/bench.sqlite3"
    migrate(url)
    code, env = one_link_app(url)
    with gunicorn(env, workers=2, extra_args=("--access-logfile", "/dev/null")) as (base, _):
        warm = wrk(f"{base}/qr/{code}.png?size=300", seconds=5)
    print(
        f"QR warm (cached) under gunicorn, 2 workers: {warm['rps']:.0f} req/s, "
        f"p50 {warm['p50']:.2f} ms, p99 {warm['p99']:.2f} ms"
    )


if __name__ == "__main__":
    main()
