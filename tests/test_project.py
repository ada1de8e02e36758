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
        if not rule.rule.startswith("/api/v1"):
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


def test_healthz_503_when_database_is_unreachable(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path}/missing/dir/x.sqlite3", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


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
    ],
)
def test_unreadable_setting_stops_start_up_naming_it(tmp_path, monkeypatch, name, value):
    from tests.conftest import make_app

    monkeypatch.setenv(f"SHARE_{name}", value)
    with pytest.raises(RuntimeError, match=f"SHARE_{name}"):
        make_app(f"sqlite:///{tmp_path}/x.sqlite3", tmp_path)


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
    assert services.of(app).redirector.store.busy_timeout == 2.5
