"""Shared fixtures: a fresh app on a throwaway database, clients, helpers.

``app`` runs on SQLite; ``any_app`` runs each test twice, on SQLite and on the
real PostgreSQL (``SHARE_TEST_POSTGRES_URL``, default the local server's
``test`` database; each test gets its own schema). Without a reachable
PostgreSQL those runs skip with the reason — unless
``SHARE_TEST_REQUIRE_SERVICES=1`` (set by ``.ci/run``), where they fail.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from share import create_app
from share.apikeys import create as create_key
from share.db import migrate

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "SHARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_SERVICES = os.environ.get("SHARE_TEST_REQUIRE_SERVICES") == "1"
PUBLIC = "http://share.test"


def missing(reason: str):
    """Skip, or fail when the run promised the service is there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (SHARE_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpora() -> Path:
    path = Path(os.environ.get("SHARE_CORPORA", ROOT.parent / "shared" / "corpora"))
    if not path.is_dir():
        pytest.skip(f"test corpora not found at {path}; set SHARE_CORPORA")
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied for each test (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "scanshare.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url():
    """A migrated, empty schema of its own on the real PostgreSQL server."""
    try:
        admin = create_engine(PG_URL, poolclass=NullPool)
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001
        missing(f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}")
    schema = f"t_{secrets.token_hex(6)}"
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    migrate(url)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def make_app(url: str, tmp_path: Path, **config):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-secret",
            "PUBLIC_URL": PUBLIC,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "FETCH_ON_CREATE": False,  # tests reach loopback only; metadata tests turn it on
            **config,
        }
    )
    return app


def close_app(app) -> None:
    """Release every database connection the app holds."""
    app.extensions["share.redirector"].store.close()
    app.extensions["share.engine"].dispose()


@pytest.fixture
def app(sqlite_url, tmp_path):
    app = make_app(sqlite_url, tmp_path)
    yield app
    close_app(app)


@pytest.fixture(params=["sqlite", "postgres"])
def any_app(request, tmp_path):
    """The app on each engine in turn."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    app = make_app(url, tmp_path)
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def engine(app):
    return app.extensions["share.engine"]


class Api:
    """A test client that sends an API key: ``api.post("/links", json=...)``."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.key = create_key(app.extensions["share.engine"], "tests")

    def _headers(self, extra=None):
        return {"Authorization": f"Bearer {self.key}", **(extra or {})}

    def get(self, path, **kw):
        return self.client.get(
            "/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def post(self, path, **kw):
        return self.client.post(
            "/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def patch(self, path, **kw):
        return self.client.patch(
            "/api/v1" + path, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def make_link(self, url="https://news.example.com/a/1", **fields) -> dict:
        response = self.post("/links", json={"url": url, **fields})
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()


@pytest.fixture
def api(app):
    return Api(app)


@pytest.fixture
def any_api(any_app):
    return Api(any_app)
