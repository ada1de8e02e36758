"""QR benchmark: cold render vs the bare ``qrcode`` call, and warm requests/s.

Cold: median time to render a PNG of a fresh short URL through ScanShare's
pipeline (options, matrix, writer) against ``qrcode.make(text).save(buf)``
for the same texts in the same run; then a logo + frame code (PNG and SVG)
including its own decode check against that plain render (target <= 2x).
Warm: requests/s of one cached QR URL under gunicorn, loaded by wrk, plain
and with ``?logo=1&frame=caption`` (the logo from ``SHARE_QR_LOGO``).
Print files: the same texts as a 40 mm PDF, plain and logo + frame, and the
one-off cost of the caption font subset (once per process and caption).

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
from share.qr import brand, printfile, printfont  # noqa: E402
from share.qr import code as qr  # noqa: E402
from share.qr import logo as site_logo  # noqa: E402
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


def logo_file(directory: str) -> Path:
    """A 400x240 two-colour PNG logo, written to ``directory``."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (400, 240), (200, 30, 30))
    ImageDraw.Draw(image).rectangle((40, 40, 360, 200), fill=(20, 20, 160))
    path = Path(directory) / "logo.png"
    image.save(path)
    return path


def branded(kind: str, logo: site_logo.Logo, mm: float | None = None):
    look = brand.BrandOptions(logo=True, frame="caption")
    opts = qr.QrOptions.from_query({"size": "300"})

    def render(text: str) -> bytes:
        result = brand.render(text, opts, look, "zh", logo, "s.example.com/s/Ab00000x", kind, mm=mm)
        assert result.fallback is None, result.fallback  # the branded code itself, decoded
        return result.body

    return render


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
    logo_path = logo_file(tmp)
    logo = site_logo.from_file(logo_path)
    # Per text, one of each in turn, so drift in machine load hits all alike. The logo forces
    # ec=H, a larger symbol: the plain code at H is shown too, to separate the two costs.
    plain_h = qr.QrOptions.from_query({"size": "300", "ec": "H"})
    fns = {
        "plain M": ours,
        "plain H": lambda text: qr.render(text, plain_h, "png"),
        "logo+frame PNG": branded("png", logo),
        "logo+frame SVG": branded("svg", logo),
        "plain PDF 40mm": lambda text: printfile.render_plain(
            text, qr.QrOptions.from_query({"src": "print"}), "pdf", 40
        ),
        "logo+frame PDF": branded("pdf", logo, 40),
    }
    start = time.perf_counter()
    printfont.subset_font(2, "扫码阅读全文")
    font_ms = (time.perf_counter() - start) * 1000
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn(texts[0])
    for text in texts:
        for name, fn in fns.items():
            start = time.perf_counter()
            fn(text)
            times[name].append(time.perf_counter() - start)
    med = {name: statistics.median(ts) * 1000 for name, ts in times.items()}
    print(f"Cold, median over {N} texts, 300 px, decode check included for logo+frame")
    for name, ms in med.items():
        print(
            f"  {name:15} {ms:6.2f} ms  {ms / med['plain M']:.2f}x plain M (target <= 2 for "
            f"logo+frame)  {ms / med['plain H']:.2f}x plain H"
        )
    print(f"  caption font subset, once per process and caption: {font_ms:.0f} ms")

    url = f"sqlite:///{tmp}/bench.sqlite3"
    migrate(url)
    code, env = one_link_app(url)
    env["SHARE_QR_LOGO"] = str(logo_path)
    with gunicorn(env, workers=2, extra_args=("--access-logfile", "/dev/null")) as (base, _):
        for label, query in (("plain", ""), ("logo+frame", "&logo=1&frame=caption")):
            warm = wrk(f"{base}/qr/{code}.png?size=300{query}", seconds=5)
            print(
                f"QR {label} warm (cached) under gunicorn, 2 workers: {warm['rps']:.0f} req/s, "
                f"p50 {warm['p50']:.2f} ms, p99 {warm['p99']:.2f} ms"
            )


if __name__ == "__main__":
    main()
