"""Login throttling and shared limits: in the database or the real Redis, across gunicorn workers."""

import os
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from share import services
from share.access import admins
from share.db import migrate
from share.storage.schema import rate_hits
from tests.adminhelp import PASSWORD, AdminClient
from tests.conftest import make_app, missing
from tests.gunicorn_server import gunicorn

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


def _hits(app) -> int:
    with services.of(app).engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(rate_hits)).scalar_one()


def _redis_counters(url) -> int:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return sum(1 for _ in client.scan_iter(match="LIMITS*login*"))
    finally:
        client.close()


@pytest.mark.parametrize("storage", ["database", "redis"])
def test_failed_logins_are_throttled_per_account_and_client(sqlite_url, tmp_path, storage, request):
    extra = {"REDIS_URL": request.getfixturevalue("redis_url")} if storage == "redis" else {}
    app = _app(sqlite_url, tmp_path, **extra)
    try:
        name = f"editor{secrets.token_hex(3)}"
        admin = AdminClient(app, username=name)
        assert [admin.login(password="wrong password").status_code for _ in range(5)] == [401] * 5
        refused = admin.login(password="wrong password")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
        assert admin.login().status_code == 429  # even the right password waits, from this client
        ghost = AdminClient(app, username=name.upper(), create=False)  # same account, other case
        assert ghost.login().status_code == 429
        other = AdminClient(app, username="other")
        assert other.login().status_code == 302  # other accounts are not locked out
        # the counters live where every worker sees them, not in this process
        if storage == "redis":
            assert _redis_counters(extra["REDIS_URL"]) >= 3
            assert _hits(app) == 0
        else:
            assert _hits(app) >= 7
    finally:
        services.of(app).engine.dispose()


def test_a_strangers_failures_do_not_lock_out_the_editor_from_another_client(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path)
    try:
        stranger = AdminClient(app)
        stranger.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
        codes = [stranger.login(password="guess").status_code for _ in range(7)]
        assert codes == [401] * 5 + [429, 429]
        editor = AdminClient(app, create=False)
        editor.client.environ_base["REMOTE_ADDR"] = "198.51.100.20"
        assert editor.login().status_code == 302
    finally:
        services.of(app).engine.dispose()


def test_the_account_ceiling_spares_the_editors_usual_browser(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path, ADMIN_LOGIN_LIMIT_ACCOUNT_CEILING="4 per 15 minutes")
    try:
        editor = AdminClient(app)
        editor.client.environ_base["REMOTE_ADDR"] = "198.51.100.20"
        assert editor.login().status_code == 302  # the browser gets its device cookie
        assert editor.client.get_cookie("scanshare_device", path="/admin/login") is not None
        # strangers from many addresses spend the rest of the account's ceiling (4 attempts
        # without that browser's cookie, the editor's own first login included)
        for n in range(3):
            stranger = AdminClient(app, create=False)
            stranger.client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
            assert stranger.login(password="guess").status_code == 401
        newcomer = AdminClient(app, create=False)
        newcomer.client.environ_base["REMOTE_ADDR"] = "192.0.2.50"
        assert newcomer.login().status_code == 429  # a new client waits, right password or not
        assert editor.login().status_code == 302  # the usual browser still gets in
    finally:
        services.of(app).engine.dispose()


def test_a_device_cookie_counts_only_for_its_own_account_and_when_signed(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path, ADMIN_LOGIN_LIMIT_ACCOUNT_CEILING="2 per 15 minutes")
    try:
        editor = AdminClient(app)
        assert editor.login().status_code == 302
        cookie = editor.client.get_cookie("scanshare_device", path="/admin/login").value
        victim = AdminClient(app, username="victim")
        for n in range(2):
            stranger = AdminClient(app, username="victim", create=False)
            stranger.client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
            assert stranger.login(password="guess").status_code == 401
        # the editor's cookie was issued for "editor": it buys nothing for "victim"
        borrowed = AdminClient(app, username="victim", create=False)
        borrowed.client.set_cookie("scanshare_device", cookie, path="/admin/login")
        assert borrowed.login().status_code == 429
        forged = AdminClient(app, username="victim", create=False)
        forged.client.set_cookie("scanshare_device", cookie[:-4] + "AAAA", path="/admin/login")
        assert forged.login().status_code == 429
        assert victim.login().status_code == 429  # no cookie yet either
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


def test_successful_logins_clear_the_failures(sqlite_url, tmp_path):
    app = _app(sqlite_url, tmp_path, ADMIN_LOGIN_LIMIT_ACCOUNT="2 per minute")
    try:
        admin = AdminClient(app)
        admin.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
        assert admin.login(password="wrong password").status_code == 401
        assert [admin.login().status_code for _ in range(4)] == [302] * 4
        assert admin.login(password="wrong password").status_code == 401
    finally:
        services.of(app).engine.dispose()


def _login_storm(base: str, attempts: int = 40, clients: int = 8) -> list[int]:
    """``attempts`` wrong passwords for "editor" from one client, ``clients`` at a time."""
    session = requests.Session()
    page = session.get(base + "/admin/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    cookies = session.cookies.get_dict()

    def attempt(_):
        return requests.post(
            base + "/admin/login",
            data={"csrf_token": token, "username": "editor", "password": "wrong password"},
            cookies=cookies,
            headers={"Connection": "close"},
            allow_redirects=False,
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(attempt, range(attempts)))


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["database", "redis"])
def test_forty_parallel_wrong_passwords_over_four_workers_get_five_checks(
    tmp_path, storage, request
):
    db = f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
    migrate(db)
    app = make_app(db, tmp_path)
    admins.create(services.of(app).engine, "editor", PASSWORD)
    services.of(app).engine.dispose()
    env = {
        "SHARE_DATABASE_URL": db,
        "SHARE_SECRET_KEY": "gunicorn-throttle-test",
        "SHARE_RATELIMIT_KEY_PREFIX": f"g{secrets.token_hex(6)}",
        "SHARE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    if storage == "redis":
        env["SHARE_REDIS_URL"] = request.getfixturevalue("redis_url")
    log = tmp_path / "access.log"
    with gunicorn(env, workers=4, log_path=log, extra_args=(
        "--access-logformat", "%(p)s %(s)s %(U)s",
    )) as (base, _):  # fmt: skip
        time.sleep(1)  # let every worker boot so the kernel can spread connections
        codes = _login_storm(base)
    # every attempt is counted before the password is checked: exactly five checks
    assert codes.count(401) == 5, codes
    assert codes.count(429) == 35, codes
    pids = {line.split()[0] for line in log.read_text().splitlines() if "/admin/login" in line}
    assert len(pids) >= 2, "the posts all landed on one worker; the test proved nothing"


@pytest.mark.slow
def test_the_share_limit_holds_across_four_workers_without_redis(tmp_path):
    db = f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}"
    migrate(db)
    env = {
        "SHARE_DATABASE_URL": db,
        "SHARE_SECRET_KEY": "gunicorn-share-limit-test",
        "SHARE_ALLOWED_HOSTS": "example.com",
        "SHARE_FETCH_ON_CREATE": "false",
        "SHARE_RATE_LIMIT": "120 per minute",
        "SHARE_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    log = tmp_path / "access.log"
    with gunicorn(env, workers=4, log_path=log, extra_args=(
        "--access-logformat", "%(p)s %(s)s %(U)s",
    )) as (base, _):  # fmt: skip
        time.sleep(1)

        def share(n):
            return requests.get(
                f"{base}/api/v1/share",
                params={"url": f"https://example.com/a{n % 7}"},
                headers={"Connection": "close"},
                timeout=30,
            ).status_code

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(share, range(200)))
    assert set(codes) <= {200, 429}, codes
    assert codes.count(200) == 120, codes  # at most 120 (+ one per worker) is the contract
    pids = {line.split()[0] for line in log.read_text().splitlines() if "/api/v1/share" in line}
    assert len(pids) >= 2, "the requests all landed on one worker; the test proved nothing"


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
