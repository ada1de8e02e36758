"""Login throttling per account and per client, in memory and in the real Redis, across gunicorn workers."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from share import services
from share.access import admins
from share.db import migrate
from tests.adminhelp import PASSWORD, AdminClient
from tests.conftest import make_app, missing

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("SHARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        missing(f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}")
    # The shared limiter keeps the first app's key prefix for the whole process, so
    # counters of earlier runs in this test database would leak in: start clean.
    _clear(client)
    yield REDIS_URL
    _clear(client)
    client.close()


def _clear(client):
    for key in client.scan_iter(match="*admin-login-*"):
        client.delete(key)


def _app(sqlite_url, tmp_path, **config):
    return make_app(sqlite_url, tmp_path, RATELIMIT_KEY_PREFIX=f"t{secrets.token_hex(6)}", **config)


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_failed_logins_are_throttled_per_account(sqlite_url, tmp_path, storage, request):
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if storage == "redis" else {}
    app = _app(sqlite_url, tmp_path, **extra)
    if storage == "redis":
        assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")
    try:
        name = f"editor{secrets.token_hex(3)}"
        admin = AdminClient(app, username=name)
        assert [admin.login(password="wrong password").status_code for _ in range(5)] == [401] * 5
        assert admin.login(password="wrong password").status_code == 429
        assert admin.login().status_code == 429  # even the right password waits
        ghost = AdminClient(app, username=name.upper(), create=False)  # same account, other case
        assert ghost.login().status_code == 429
        other = AdminClient(app, username="other")
        assert other.login().status_code == 302  # other accounts are not locked out
    finally:
        services.of(app).engine.dispose()


def test_unknown_accounts_are_throttled_like_known_ones(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path)
    try:
        ghost = AdminClient(app, username="ghost", create=False)
        codes = [ghost.login(password="wrong password").status_code for _ in range(6)]
        assert codes == [401] * 5 + [429]
    finally:
        services.of(app).engine.dispose()


def test_failed_logins_are_throttled_per_client(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path, ADMIN_LOGIN_LIMIT_CLIENT="3 per minute")
    try:
        codes = [
            AdminClient(app, username=f"user{n}", create=False).login().status_code
            for n in range(4)
        ]
        assert codes == [401, 401, 401, 429]
    finally:
        services.of(app).engine.dispose()


def test_successful_logins_do_not_count(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path, ADMIN_LOGIN_LIMIT_ACCOUNT="2 per minute")
    try:
        admin = AdminClient(app)
        assert [admin.login().status_code for _ in range(4)] == [302] * 4
    finally:
        services.of(app).engine.dispose()


@pytest.mark.slow
def test_twenty_wrong_passwords_over_four_gunicorn_workers_sharing_redis(redis_url, tmp_path):
    db = f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
    migrate(db)
    app = make_app(db, tmp_path)
    admins.create(services.of(app).engine, "editor", PASSWORD)
    services.of(app).engine.dispose()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHARE_")}
    env.update(
        SHARE_DATABASE_URL=db,
        SHARE_SECRET_KEY="gunicorn-throttle-test",
        SHARE_PUBLIC_URL=base,
        SHARE_REDIS_URL=redis_url,
        SHARE_RATELIMIT_KEY_PREFIX=f"g{secrets.token_hex(6)}",
    )
    log = tmp_path / "access.log"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(gunicorn), "--bind", f"fd://{sock.fileno()}", "--workers", "4",
             "--access-logfile", "-", "--access-logformat", "%(p)s %(s)s %(U)s", "app:app"],
            cwd=ROOT, env=env, pass_fds=(sock.fileno(),), stdout=out, stderr=out,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(base + "/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        time.sleep(1)  # let every worker boot so the kernel can spread connections
        session = requests.Session()
        page = session.get(base + "/admin/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        cookies = session.cookies.get_dict()

        def attempts(_):
            codes = []
            for _ in range(5):
                response = requests.post(
                    base + "/admin/login",
                    data={"csrf_token": token, "username": "editor", "password": "wrong password"},
                    cookies=cookies,
                    headers={"Connection": "close"},
                    allow_redirects=False,
                    timeout=10,
                )
                codes.append(response.status_code)
            return codes

        # four clients at once, so the kernel hands connections to several workers
        with ThreadPoolExecutor(4) as pool:
            codes = [c for batch in pool.map(attempts, range(4)) for c in batch]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        sock.close()
    # Each worker alone would let 5 through (20 in all). Shared in Redis, 5 pass, plus at
    # most one per other concurrent client (the check runs before the failure is counted).
    assert set(codes) == {401, 429}, codes
    assert 5 <= codes.count(401) <= 8, codes
    pids = {line.split()[0] for line in log.read_text().splitlines() if "/admin/login" in line}
    assert len(pids) >= 2, "the posts all landed on one worker; the test proved nothing"


def test_rate_limit_counters_store_no_client_address(sqlite_url, tmp_path, redis_url):
    """Counters in Redis are keyed by a hash of the address, never the address."""
    import redis

    app = _app(sqlite_url, tmp_path, REDIS_URL=redis_url)
    app.config["ALLOWED_HOSTS"] = ["example.com"]
    client = redis.Redis.from_url(redis_url)
    try:
        web = app.test_client()
        env = {"REMOTE_ADDR": "203.0.113.77"}
        for _ in range(3):
            web.get("/api/v1/share?url=https://example.com/", environ_base=env)
        ghost = AdminClient(app, username="ghost", create=False)
        ghost.client.environ_base.update(env)
        ghost.login(password="wrong password")
        # The shared limiter keeps the first app's key prefix: look at every counter.
        keys = list(client.scan_iter(match="LIMITS*"))
        assert keys, "the limiter wrote no counters to Redis"
        for key in keys:
            assert b"203.0.113.77" not in key
            dump = client.dump(key) or b""
            assert b"203.0.113.77" not in dump
    finally:
        for key in client.scan_iter(match="LIMITS*"):
            client.delete(key)
        client.close()
        services.of(app).engine.dispose()
