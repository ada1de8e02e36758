"""Widget benchmark: click → popup visible → QR decoded and ready, and the script's size.

Run: .venv/bin/python bench/bench_widget.py [N]

The real service (werkzeug thread, temp SQLite) on one loopback port, the
article page on another, real headless Chromium. Three cases, median of N:

- new article: the first click registers the link (the service fetches the
  page's metadata), renders the QR, the browser fetches and decodes it;
- known article: a fresh browser context opens an already registered article;
- re-open: the second open on the same page (nothing left to fetch).

"visible" is the first animation frame after the click (the popup is painted);
"QR ready" is when the image has loaded and ``img.decode()`` resolved.
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import statistics
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from share import create_app  # noqa: E402
from share.db import migrate  # noqa: E402
from tests.chromium import CHROMIUM, launch_chromium  # noqa: E402

MEASURE = """async () => {
  const root = document.querySelector('.scanshare').shadowRoot;
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const t0 = performance.now();
  root.querySelector('button[data-site=wechat]').click();
  await frame();
  const visible = performance.now() - t0;
  const img = root.querySelector('[role=dialog] img');
  while (!img.src) await frame();
  if (!img.complete) await new Promise(r => img.addEventListener('load', r, {once: true}));
  await img.decode();
  return [visible, performance.now() - t0];
}"""
REOPEN = """async () => {
  const root = document.querySelector('.scanshare').shadowRoot;
  root.querySelector('[role=dialog] button').click();
  await new Promise(r => setTimeout(r, 50));
}"""


def start_service(tmp: Path):
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    migrate(url)
    holder = {}
    server = make_server("127.0.0.1", 0, lambda e, s: holder["app"](e, s), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    holder["app"] = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "PUBLIC_URL": base,
            "INSTANCE_PATH": str(tmp / "instance"),
            "ALLOWED_HOSTS": "127.0.0.1",
            "FETCH_ALLOW_NETWORKS": "127.0.0.0/8",
            "SHARE_RATE_LIMIT": "100000 per minute",
        }
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return holder["app"], base


def start_host(service_base: str) -> str:
    page = (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>夜跑</title>'
        f'</head><body><h1>夜跑</h1><div class="scanshare"></div>'
        f'<script src="{service_base}/widget.js" async></script></body></html>'
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError):  # the page closed before reading it all
                self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def run_case(browser, url: str, reopen: bool = False) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(url)
    page.wait_for_function("() => document.querySelector('.scanshare').shadowRoot")
    result = page.evaluate(MEASURE)
    if reopen:
        page.evaluate(REOPEN)
        result = page.evaluate(MEASURE)
    context.close()
    return result[0], result[1]


def report(name: str, samples: list[tuple[float, float]]) -> None:
    visible = statistics.median(s[0] for s in samples)
    ready = statistics.median(s[1] for s in samples)
    print(
        f"{name:<14} visible {visible:7.1f} ms   QR ready {ready:7.1f} ms   (median of {len(samples)})"
    )


def main(n: int = 20) -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if not CHROMIUM.exists():
        sys.exit(f"Chromium not found at {CHROMIUM}")
    with tempfile.TemporaryDirectory() as tmp:
        app, base = start_service(Path(tmp))
        host = start_host(base)
        client = app.test_client()
        packed = client.get("/widget.js", headers={"Accept-Encoding": "gzip"}).data
        raw = gzip.decompress(packed)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            run_case(browser, f"{host}/warm-up")
            fresh = [run_case(browser, f"{host}/article/{i}") for i in range(n)]
            known = [run_case(browser, f"{host}/article/{i}") for i in range(n)]
            again = [run_case(browser, f"{host}/article/{i}", reopen=True) for i in range(n)]
            browser.close()
        print(f"widget.js      {len(raw)} bytes served, {len(packed)} bytes gzipped (budget 9216)")
        report("new article", fresh)
        report("known article", known)
        report("re-open", again)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
