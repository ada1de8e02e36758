"""Project-level promises: settings documented, OpenAPI complete, schema = migrations."""

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from share import services
from share.settings import SETTINGS
from share.storage.schema import metadata

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\|\s*`SHARE_([A-Z_]+)`", readme, re.M))
    missing = {s.name for s in SETTINGS} - documented
    assert not missing, f"settings missing from README's table: {sorted(missing)}"


def test_every_api_route_is_in_openapi_and_back(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    app = client.application
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1", "/t/")):  # /t/: the share hop, for browsers
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed - documented == set(), "routes missing from openapi.json"
    assert documented - routed == set(), "openapi.json describes routes that do not exist"


def test_migrations_match_the_schema(any_app):
    engine = create_engine(any_app.config["DATABASE_URL"], poolclass=NullPool)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []


def test_healthz_503_when_database_is_unreachable_without_a_spool(tmp_path):
    from tests.conftest import make_app

    url = f"sqlite:///{tmp_path}/missing/dir/x.sqlite3"
    app = make_app(url, tmp_path, SCAN_SPOOL=False)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_healthz_with_a_spool_says_503_only_once_scans_wait_too_long(app, api, frozen):
    """The database away: scans are safe in the spool, until SPOOL_MAX_AGE (300 s) has passed."""
    from sqlalchemy import text

    from share import services

    code = api.make_link()["code"]
    client = app.test_client()
    assert client.get(f"/s/{code}").status_code == 302
    services.of(app).redirector.flush()
    with services.of(app).engine.begin() as conn:
        conn.execute(text("ALTER TABLE scans RENAME TO scans_gone"))
    assert client.get(f"/s/{code}").status_code == 302
    frozen.advance(seconds=299)
    waiting = client.get("/healthz")
    assert waiting.status_code == 200
    assert waiting.get_json()["spool"]["records"] == 1
    frozen.advance(seconds=2)
    late = client.get("/healthz")
    assert late.status_code == 503 and late.get_json()["status"] == "unavailable"
    with services.of(app).engine.begin() as conn:
        conn.execute(text("ALTER TABLE scans_gone RENAME TO scans"))
    services.of(app).redirector.flush()
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/nope", "/qr/%ff.png", "/api/v1/nope", "/s/", "/api/v1/links/%00", "/qr.png?url=%ff%fe"],
)
def test_odd_paths_never_500(client, path):
    assert client.get(path).status_code < 500


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


@pytest.mark.parametrize(
    "name, value",
    [
        ("PROXY_COUNT", "two"),
        ("SQLITE_BUSY_TIMEOUT", "soon"),
        ("QR_CACHE_BYTES", "lots"),
        ("TIMEZONE", "Mars/Olympus"),
        ("TIMEZONE", "../../etc/passwd"),
        ("ALLOWED_HOSTS", "https://example.com/"),
        ("ALLOWED_HOSTS", "example.com, *example.org"),
        ("TRUSTED_HOSTS", "s.example.com:8080/x"),
        ("FETCH_ALLOW_NETWORKS", "10.0.0.0/33"),
        ("FETCH_ALLOWED_PORTS", "80,http"),
        ("FETCH_ALLOWED_PORTS", "70000"),
        ("SHARE_RATE_LIMIT", "lots per minute"),
        ("ADMIN_LOGIN_LIMIT_ACCOUNT", "5 per fortnightish"),
        ("PUBLIC_URL", "s.example.com"),
        ("PUBLIC_URL", "https://s.example.com/?a=1"),
        ("REDIS_URL", "localhost:6379"),
        ("DATABASE_URL", "mysql://root@localhost/x"),
        ("DATABASE_URL", "not a url"),
    ],
)
def test_unreadable_setting_stops_start_up_naming_it(tmp_path, monkeypatch, name, value):
    from tests.conftest import make_app

    monkeypatch.setenv(f"SHARE_{name}", value)
    config = {name: value} if name in ("DATABASE_URL", "PUBLIC_URL") else {}
    with pytest.raises(RuntimeError, match=f"SHARE_{name}") as caught:
        make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path, **config)
    assert "\n" not in str(caught.value)


def test_unknown_time_zone_stops_flask_with_one_line(tmp_path):
    """`flask` prints the setting's name on one line, exit 1, no traceback."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "SHARE_TIMEZONE": "Mars/Olympus", "SHARE_INSTANCE_PATH": str(tmp_path)}
    env["SHARE_DATABASE_URL"] = f"sqlite:///{tmp_path}/x.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "routes"],
        cwd=root, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "SHARE_TIMEZONE='Mars/Olympus'" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_settings_lists_are_read_and_written_canonically(tmp_path, monkeypatch):
    from tests.conftest import make_app

    monkeypatch.setenv("SHARE_ALLOWED_HOSTS", "Example.com., *.example.org [::1]")
    monkeypatch.setenv("SHARE_FETCH_ALLOW_NETWORKS", "10.1.2.3/8 fd00::/8")
    monkeypatch.setenv("SHARE_FETCH_ALLOWED_PORTS", "80 8080")
    app = make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path)
    assert app.config["ALLOWED_HOSTS"] == ["example.com", "*.example.org", "[::1]"]
    assert app.config["FETCH_ALLOW_NETWORKS"] == ["10.0.0.0/8", "fd00::/8"]
    assert app.config["FETCH_ALLOWED_PORTS"] == [80, 8080]


def test_unreachable_database_is_one_line_from_migrate(tmp_path):
    """`flask migrate` on a database nobody answers for: one line naming the setting."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "SHARE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"}
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "migrate"],
        cwd=root, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "SHARE_DATABASE_URL: cannot reach the database" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_boolean_settings_read_words():
    from share.settings import as_bool

    assert [as_bool(v) for v in ("off", "No", "0", "true", "ON", True)] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    with pytest.raises(ValueError):
        as_bool("maybe")


def test_settings_from_the_environment_get_their_types(tmp_path, monkeypatch):
    from tests.conftest import make_app

    monkeypatch.setenv("SHARE_ALLOWED_HOSTS", "example.com, *.example.org")
    monkeypatch.setenv("SHARE_SQLITE_BUSY_TIMEOUT", "2.5")
    app = make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path)
    assert app.config["ALLOWED_HOSTS"] == ["example.com", "*.example.org"]
    with services.of(app).engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2500
