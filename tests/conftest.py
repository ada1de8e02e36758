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
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from share import clock, create_app, services
from share.access.apikeys import create as create_key
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


# -- time ------------------------------------------------------------------
#
# No test reads the wall clock. Tests that need "now" take ``frozen`` (one
# fixed instant) or ``instant`` (each of the instants below in turn); both
# install a share.clock.FixedClock that the app reads too. To prove the
# suite does not depend on when it runs, ``SHARE_TEST_CLOCK=HH:MM`` moves
# this whole process's clock (time-machine) to that time of today, UTC;
# .ci/run does so at 16:30 and 23:59.

#: A Tuesday afternoon in Shanghai, morning in UTC: nothing special.
DEFAULT_INSTANT = datetime(2026, 12, 1, 3, 17, 42, tzinfo=UTC)

#: Instants that have broken day arithmetic somewhere (UTC).
INSTANTS = {
    "00:30": datetime(2026, 6, 10, 0, 30, tzinfo=UTC),
    "15:59": datetime(2026, 6, 10, 15, 59, 30, tzinfo=UTC),
    "16:01": datetime(2026, 6, 10, 16, 1, tzinfo=UTC),
    "23:59": datetime(2026, 6, 10, 23, 59, 59, tzinfo=UTC),
    "month-end": datetime(2026, 4, 30, 23, 30, tzinfo=UTC),
    "year-end": datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    "feb-29": datetime(2028, 2, 29, 12, 0, tzinfo=UTC),
    "ny-spring-forward": datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
    "ny-fall-back": datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    "berlin-spring-forward": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    "berlin-fall-back": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    "kolkata-midnight": datetime(2026, 6, 10, 18, 30, tzinfo=UTC),
}

#: Zones with whole, half and three-quarter hour offsets and both DST hemispheres' rules.
ZONES = (
    "UTC",
    "Asia/Shanghai",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
)


def pytest_configure(config):
    """``SHARE_TEST_CLOCK=HH:MM``: run the whole session as if it were that time today (UTC)."""
    wanted = os.environ.get("SHARE_TEST_CLOCK")
    if not wanted:
        return
    import time_machine

    hour, minute = (int(part) for part in wanted.split(":"))
    today = datetime.now(UTC).replace(  # wall-clock-ok: this is what moves it
        hour=hour, minute=minute, second=0, microsecond=0
    )
    config._share_travel = time_machine.travel(today, tick=True)
    config._share_travel.start()


def pytest_report_header(config):
    if getattr(config, "_share_travel", None) is not None:
        moved = datetime.now(UTC).isoformat()  # wall-clock-ok: reports the moved clock
        return f"process clock moved to {moved} (SHARE_TEST_CLOCK)"
    return None


@pytest.fixture
def frozen():
    """The clock held at :data:`DEFAULT_INSTANT`; ``frozen.set()`` / ``.advance()`` move it."""
    with clock.frozen(DEFAULT_INSTANT) as fixed:
        yield fixed


@pytest.fixture(params=list(INSTANTS.values()), ids=list(INSTANTS))
def instant(request):
    """The clock held at each of :data:`INSTANTS` in turn."""
    with clock.frozen(request.param) as fixed:
        yield fixed


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
    services.of(app).redirector.close()
    services.of(app).engine.dispose()


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
    return services.of(app).engine


class Api:
    """A test client that sends an API key: ``api.post("/links", json=...)``."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.key = create_key(services.of(app).engine, "tests")

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
