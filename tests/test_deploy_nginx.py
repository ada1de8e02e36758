"""The deployment recipe run end to end: deploy/nginx/scanshare.conf in front of gunicorn.

Real nginx (Debian's package, started from Debian's own ``nginx.conf`` with
this run's paths) proxies to real gunicorn on loopback, over TLS with a
certificate made here. What an operator is promised: slow clients are
absorbed by nginx, the client address is the one nginx saw, https reaches
the app as https, text is compressed, ``/widget.js`` keeps the app's caching,
plain http redirects, oversized bodies stop at nginx in the app's shape.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from share.access import apikeys
from share.config import MAX_BODY_BYTES
from share.db import migrate
from share.settings import SETTINGS
from share.storage.engine import make_engine
from share.web.widget import WIDGET_CACHE
from tests.conftest import missing
from tests.gunicorn_server import ROOT, gunicorn, one_link_app, wait_for

pytestmark = pytest.mark.slow

TEMPLATE = ROOT / "deploy" / "nginx" / "scanshare.conf"
DEBIAN_MAIN = Path("/etc/nginx/nginx.conf")
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"
SLOW_CLIENTS = 20
FAST = 1.0  # seconds /healthz may take through nginx while the slow clients hang on
PATIENCE = 5.0  # how long the direct /healthz is waited for before it counts as starved


# -- rendering and running nginx -----------------------------------------------


def placeholders(text: str) -> set[str]:
    """The ``${SCANSHARE_*}`` names used outside comments."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return set(re.findall(r"\$\{(SCANSHARE_\w+)\}", code))


def render_site(values: dict[str, str]) -> str:
    """The template with every placeholder replaced, as ``envsubst`` does for an operator."""
    text = TEMPLATE.read_text(encoding="utf-8")
    assert placeholders(text) == set(values), "the test must fill exactly the template's names"
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    return text


def main_config(site: Path, run: Path) -> str:
    """Debian's ``nginx.conf`` including only our site, with this run's pid, logs and temp files.

    Workers run as root when the test does (the run folder is private to it).
    Without Debian's file, a minimal one with its http defaults.
    """
    temp = "".join(
        f"    {kind}_temp_path {run / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = DEBIAN_MAIN.read_text() if DEBIAN_MAIN.exists() else ""
    pattern = r"^\s*include\s+/etc/nginx/sites-enabled/\*;"
    if not re.search(pattern, text, flags=re.M):
        text = "events {}\nhttp {\n    include /etc/nginx/mime.types;\n    gzip on;\n" + (
            "    include /etc/nginx/sites-enabled/*;\n}\n"
        )
    text = re.sub(pattern, f"include {site};", text, flags=re.M)
    for directive in ("user", "pid", "error_log"):
        text = re.sub(rf"^{directive}\s[^;]*;", "", text, flags=re.M)
    text = re.sub(r"^\s*include\s+/etc/nginx/conf\.d/[^;]*;", "", text, flags=re.M)
    text = re.sub(r"^\s*access_log\s[^;]*;", f"access_log {run / 'access.log'};", text, flags=re.M)
    text = text.replace("http {", "http {\n" + temp, 1)
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"{user}pid {run / 'nginx.pid'};\nerror_log {run / 'error.log'};\n{text}"


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        missing("nginx is not installed (Debian package `nginx`; .ci/run installs it)")
    return found


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (IP SAN) and its key, so clients verify it for real."""
    openssl = shutil.which("openssl")
    if not openssl:
        missing("the openssl command is not installed (needed for the test certificate)")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + ["-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def nginx(values: dict[str, str], run: Path, port: int):
    """Run nginx in the foreground with its own prefix under ``run`` until the block ends."""
    binary = nginx_binary()
    run.mkdir(parents=True, exist_ok=True)
    site = run / "scanshare.conf"
    site.write_text(render_site(values))
    conf = run / "nginx.conf"
    conf.write_text(main_config(site, run))
    args = [binary, "-p", str(run), "-c", str(conf), "-e", str(run / "error.log")]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True)
    assert check.returncode == 0, f"nginx -t refused the rendered site:\n{check.stderr}"
    log = open(run / "nginx.out", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([*args, "-g", "daemon off;"], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                errors = (run / "error.log").read_text() if (run / "error.log").exists() else ""
                raise RuntimeError(f"nginx did not start (exit {proc.poll()}):\n{errors}")
            time.sleep(0.05)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@dataclass(frozen=True)
class Deployed:
    """One running recipe: nginx's https and http origins, gunicorn's own, a link and a key."""

    https: str
    http: str
    direct: str
    https_port: int
    cert: Path
    code: str
    key: str
    app_log: Path  # gunicorn's access log: what reached the app

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def get(self, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 10)
        return requests.get(self.https + path, verify=str(self.cert), **kw)

    def post(self, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", 10)
        return requests.post(self.https + path, verify=str(self.cert), **kw)

    def from_address(self, source: str, path: str, headers: dict[str, str]) -> int:
        """GET ``path`` over https from the loopback address ``source``; the status."""
        context = ssl.create_default_context(cafile=str(self.cert))
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=context, source_address=(source, 0), timeout=10
        )
        try:
            conn.request("GET", path, headers=headers)
            return conn.getresponse().status
        finally:
            conn.close()


@contextlib.contextmanager
def deployed(run: Path, workers: int, **settings: str):
    """gunicorn (SQLite, ``SHARE_PROXY_COUNT=1``, no ``SHARE_PUBLIC_URL``) behind the rendered site."""
    nginx_binary()  # skip before starting anything
    run.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{run / 'db.sqlite3'}"
    migrate(url)
    code, env = one_link_app(url)
    env.pop("SHARE_PUBLIC_URL")  # the public URL comes from the request, so https must arrive
    env.update(
        SHARE_INSTANCE_PATH=str(run / "instance"),
        SHARE_PROXY_COUNT="1",
        SHARE_FETCH_ON_CREATE="false",
        **settings,
    )
    engine = make_engine(url)
    key = apikeys.create(engine, "deploy-test")
    engine.dispose()
    cert, private = self_signed(run)
    https_port, http_port = free_port(), free_port()
    values = {
        "SCANSHARE_SERVER_NAME": "127.0.0.1 localhost",
        "SCANSHARE_PUBLIC_ORIGIN": f"https://127.0.0.1:{https_port}",
        "SCANSHARE_HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "SCANSHARE_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
        "SCANSHARE_TLS_CERT": str(cert),
        "SCANSHARE_TLS_KEY": str(private),
        "SCANSHARE_ACCESS_LOG": str(run / "nginx" / "scanshare.access.log"),
        "SCANSHARE_CACHE_DIR": str(run / "nginx" / "cache"),
    }
    with gunicorn(env, workers=workers, log_path=run / "gunicorn.log") as (direct, _proc):
        values["SCANSHARE_UPSTREAM"] = direct.removeprefix("http://")
        with nginx(values, run / "nginx", https_port):
            yield Deployed(
                https=f"https://127.0.0.1:{https_port}",
                http=f"http://127.0.0.1:{http_port}",
                direct=direct,
                https_port=https_port,
                cert=cert,
                code=code,
                key=key,
                app_log=run / "gunicorn.log",
            )


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The recipe with two workers (as ``make run``), shared by this module's tests."""
    with deployed(tmp_path_factory.mktemp("deploy"), workers=2) as running:
        yield running


# -- slow clients ----------------------------------------------------------------


# Half a request, then one more piece every 0.5 s: a header that never ends, or a
# body that never arrives in full (behind complete headers, to the login form,
# whose body is read before anyone is authenticated).
SLOW_REQUESTS = {
    "header": (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"X-Slow: 1\r\n"),
    "body": (
        b"POST /admin/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n",
        b"a",
    ),
}


@contextlib.contextmanager
def slowloris(port: int, count: int, request: tuple[bytes, bytes], tls=None):
    """``count`` connections that send the start of ``request``, then its piece every 0.5 s."""
    start, drop = request
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if tls is not None:
            sock = tls.wrap_socket(sock, server_hostname="127.0.0.1")
        sock.sendall(start)
        socks.append(sock)
    stop = threading.Event()

    def drip():
        while not stop.wait(0.5):
            for sock in socks:
                with contextlib.suppress(OSError):
                    sock.sendall(drop)

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    try:
        time.sleep(1.0)  # let the server take them all in
        yield
    finally:
        stop.set()
        dripper.join()
        for sock in socks:
            sock.close()


def time_to_healthz(base: str, verify: str | bool) -> float | None:
    """Seconds until ``/healthz`` answers 200, or None when it did not within ``PATIENCE``."""
    start = time.monotonic()
    try:
        response = requests.get(base + "/healthz", verify=verify, timeout=PATIENCE)
    except requests.Timeout:
        return None
    assert response.status_code == 200, response.text
    return time.monotonic() - start


@pytest.mark.parametrize("kind", sorted(SLOW_REQUESTS))
def test_slowloris_against_nginx_does_not_delay_healthz(stack, kind, record_property):
    context = ssl.create_default_context(cafile=str(stack.cert))
    request = SLOW_REQUESTS[kind]
    with slowloris(stack.https_port, SLOW_CLIENTS, request, context):
        through_nginx = time_to_healthz(stack.https, str(stack.cert))
    direct_port = int(stack.direct.rsplit(":", 1)[1])
    with slowloris(direct_port, SLOW_CLIENTS, request):
        direct = time_to_healthz(stack.direct, False)

    def shown(seconds):
        return f"{seconds:.3f} s" if seconds is not None else f"no answer within {PATIENCE:.0f} s"

    figures = (
        f"/healthz with {SLOW_CLIENTS} slow-{kind} connections: through nginx "
        f"{shown(through_nginx)}, straight at gunicorn (2 workers) {shown(direct)}"
    )
    print(figures)
    record_property(f"slowloris_{kind}", figures)
    assert through_nginx is not None and through_nginx < FAST, figures


# -- the client address ------------------------------------------------------------


def test_client_address_is_the_one_nginx_saw_and_a_sent_header_cannot_change_it(stack):
    """Observed through the visitor hash: two clients are two unique visitors, whatever they send.

    (Passed through, the headers would make three; ignored, all would be nginx's one address.)
    """
    made = stack.post(
        "/api/v1/links", json={"url": "https://news.example.com/xff"}, headers=stack.auth
    )
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    person = {"User-Agent": CHROME}
    scans = [
        ("127.0.0.2", person),
        ("127.0.0.2", {**person, "X-Forwarded-For": "6.6.6.6"}),  # the same client, lying
        ("127.0.0.2", {**person, "X-Forwarded-For": "127.0.0.3"}),  # posing as the next one
        ("127.0.0.3", person),  # another client
    ]
    for source, headers in scans:
        assert stack.from_address(source, f"/s/{code}?src=print", headers) == 302

    def stats():  # the dedicated ingester stores scans within about a second
        answer = stack.get(f"/api/v1/links/{code}/stats", headers=stack.auth).json()
        return answer if answer["total"] == len(scans) else None

    counted = wait_for(stats)
    assert counted is not None, "the scans were never counted"
    assert counted["unique"] == 2, counted


def test_rate_limits_count_the_address_nginx_saw(tmp_path):
    """Observed through the public QR route's per-client limit (one worker: one count)."""
    with deployed(tmp_path, workers=1, SHARE_SHARE_RATE_LIMIT="2 per minute") as running:
        path = "/qr.png?url=https%3A%2F%2Fexample.com%2F"

        def qr(source, **headers):
            return running.from_address(source, path, headers)

        assert [qr("127.0.0.2"), qr("127.0.0.2"), qr("127.0.0.2")] == [200, 200, 429]
        assert qr("127.0.0.2", **{"X-Forwarded-For": "6.6.6.6"}) == 429
        assert qr("127.0.0.3") == 200


# -- https ---------------------------------------------------------------------------


def test_short_links_made_over_https_are_https_links(stack):
    body = {"url": "https://news.example.com/over-https"}
    made = stack.post("/api/v1/links", json=body, headers=stack.auth)
    assert made.status_code == 201, made.text
    assert made.json()["short_url"] == f"https://127.0.0.1/s/{made.json()['code']}"
    # the same request to gunicorn itself came over http: the scheme was nginx's word
    plain = requests.post(stack.direct + "/api/v1/links", json=body, headers=stack.auth, timeout=10)
    assert plain.json()["short_url"].startswith("http://127.0.0.1:")


def test_session_cookie_is_secure_over_https(stack):
    page = stack.get("/admin/login")
    assert page.status_code == 200
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("session="), cookie
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}, cookie


def test_plain_http_redirects_to_https(stack):
    answer = requests.get(f"{stack.http}/s/{stack.code}?src=qr", allow_redirects=False, timeout=10)
    assert answer.status_code == 301
    assert answer.headers["Location"] == f"{stack.https}/s/{stack.code}?src=qr"


# -- compression, caching, body size ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "text/html"),
        ("/admin/login", "text/html"),
        ("/api/v1/openapi.json", "application/json"),
        ("/widget.js", "application/javascript"),
        ("/static/widget.css", "text/css"),
        ("/qr/{code}.svg", "image/svg+xml"),
    ],
)
def test_text_answers_are_gzipped(stack, path, kind):
    answer = stack.get(
        path.format(code=stack.code), headers={"Accept-Encoding": "gzip"}, stream=True
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith(kind)
    assert answer.headers.get("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in answer.headers.get("Vary", "")
    assert gzip.decompress(answer.raw.read(decode_content=False))


def test_widget_js_keeps_the_apps_caching_and_revalidates(stack):
    first = stack.get("/widget.js", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Cache-Control"] == WIDGET_CACHE
    etag = first.headers["ETag"]
    assert not etag.startswith("W/"), "a weakened ETag never revalidates"
    again = stack.get("/widget.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == WIDGET_CACHE


def test_widget_js_is_answered_by_nginx_not_a_worker(stack):
    def reached_app():
        return stack.app_log.read_text().count('"GET /widget.js HTTP/1.0"')

    before = reached_app()
    for encoding in ("gzip", "identity") * 5:
        answer = stack.get("/widget.js", headers={"Accept-Encoding": encoding})
        assert answer.status_code == 200
        assert (answer.headers.get("Content-Encoding") == "gzip") == (encoding == "gzip")
    assert reached_app() - before <= 2, "at most one fetch per encoding"


def test_bodies_over_the_apps_limit_stop_at_nginx_in_the_apps_shape(stack):
    headers = {**stack.auth, "Content-Type": "application/json"}
    at_limit = stack.post("/api/v1/links", data=b" " * MAX_BODY_BYTES, headers=headers)
    assert at_limit.status_code == 400, "a body the app accepts must reach the app"
    over = stack.post("/api/v1/links", data=b" " * (MAX_BODY_BYTES + 1), headers=headers)
    assert over.status_code == 413
    assert over.json()["error"]["code"] == "too_large"


def test_every_placeholder_is_listed_in_the_templates_header():
    text = TEMPLATE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^#   (SCANSHARE_\w+) ", text, flags=re.M))
    in_command = set(
        re.findall(r"\$\{(SCANSHARE_\w+)\}", text.split("vars='", 1)[1].split("'", 1)[0])
    )
    assert placeholders(text) == listed == in_command


def test_the_env_example_names_every_setting():
    text = (ROOT / "deploy" / "scanshare.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?(SHARE_\w+)=", text, flags=re.M))
    assert named == {f"SHARE_{setting.name}" for setting in SETTINGS}
