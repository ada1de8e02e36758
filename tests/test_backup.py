"""Backups taken while scans keep coming, restored elsewhere with every count equal.

SQLite: ``flask backup`` runs while a thread keeps spooling and ingesting
scans; the copy opens, passes ``integrity_check`` and its roll-ups agree
with its own raw rows; ``flask restore`` into a fresh instance answers the
counts the backup holds. Restores refuse what is not a ScanShare database
and a running service; scans still in the spool are ingested into the
restored database exactly once. PostgreSQL: ``flask backup`` prints the
``pg_dump`` line; that line's dump, restored into a fresh database, gives
every count again.
"""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from share import clock, services
from share.db import migrate
from share.scans.spool import Spool, encode
from share.storage import backup as store
from tests.adminhelp import CHROME, WECHAT
from tests.conftest import Api, close_app, make_app
from tests.rollupcheck import assert_rollups_match_raw

NOW = datetime(2026, 12, 3, 16, 1, tzinfo=UTC)
AGENTS = [CHROME, WECHAT, "curl/8.0", "Mozilla/5.0 (compatible; Googlebot/2.1)"]


def _counts_held(url: str) -> dict[int, tuple[int, int, int]]:
    """``{code: (human scans, distinct human visitors, bot scans)}`` from a database's raw rows."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT link_id, SUM(CASE WHEN is_bot THEN 0 ELSE 1 END),"
                    " COUNT(DISTINCT CASE WHEN is_bot THEN NULL ELSE visitor END),"
                    " SUM(CASE WHEN is_bot THEN 1 ELSE 0 END) FROM scans GROUP BY link_id"
                )
            ).all()
            codes = dict(conn.execute(text("SELECT id, code FROM links")).all())
    finally:
        engine.dispose()
    return {codes[link]: (int(h), int(u), int(b)) for link, h, u, b in rows}


def _counts_answered(app, codes) -> dict[str, tuple[int, int, int]]:
    """The same figures from the stats API of ``app`` (every scan within NOW's day ± 1)."""
    api = Api(app)
    first, last = (NOW - timedelta(days=2)).date(), (NOW + timedelta(days=1)).date()
    out = {}
    for code in codes:
        body = api.get(f"/links/{code}/stats?from={first}&to={last}&tz=UTC").get_json()
        assert "total" in body, body
        out[code] = (body["total"], body["unique"], body["bots"])
    return out


class Load(threading.Thread):
    """Scans through the real redirector (spool + ingest) until stopped."""

    def __init__(self, app, codes):
        super().__init__(daemon=True)
        self.app, self.codes = app, codes
        self.sent = 0
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        redirector = services.of(self.app).redirector
        try:
            while not self.stop.is_set():
                n = self.sent
                outcome = redirector.scan(
                    self.codes[n % len(self.codes)],
                    method="GET",
                    headers={"User-Agent": AGENTS[n % len(AGENTS)]},
                    remote_addr=f"198.51.100.{n % 40}",
                    src="qr",
                    now=NOW - timedelta(seconds=n * 7),
                )
                assert outcome.status == 302
                self.sent += 1
                if n % 40 == 39:
                    redirector.flush()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc


def test_backup_under_load_is_consistent_and_restores_every_count(app, frozen, tmp_path):
    codes = [Api(app).make_link(f"https://news.example.com/b/{n}")["code"] for n in range(3)]
    load = Load(app, codes)
    load.start()
    runner = app.test_cli_runner()
    copies = [tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"]
    try:
        for copy in copies:
            while load.sent < 300 * (1 + copies.index(copy)):
                load.join(0.01)
            result = runner.invoke(args=["backup", str(copy)])
            assert result.exit_code == 0, result.output
            assert f"Backed up the database to {copy}" in result.output
    finally:
        load.stop.set()
        load.join(30)
    assert load.error is None, load.error
    services.of(app).redirector.flush()
    live = _counts_held(app.config["DATABASE_URL"])
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert not Path(f"{copy}-wal").exists()
        assert_rollups_match_raw(f"sqlite:///{copy}")
    held = _counts_held(f"sqlite:///{copies[-1]}")
    assert sum(h + b for h, _, b in held.values()) >= 600
    assert sum(h + b for h, _, b in held.values()) < sum(h + b for h, _, b in live.values())

    fresh = make_app(f"sqlite:///{tmp_path / 'fresh' / 'db.sqlite3'}", tmp_path / "fresh")
    try:
        result = fresh.test_cli_runner().invoke(args=["restore", str(copies[-1])])
        assert result.exit_code == 0, result.output
        assert "Restored" in result.output
        assert _counts_answered(fresh, codes) == held
        assert_rollups_match_raw(fresh.config["DATABASE_URL"])
    finally:
        close_app(fresh)


def test_backup_refuses_to_overwrite_unless_forced(app, frozen, tmp_path):
    target = tmp_path / "kept.sqlite3"
    target.write_text("an older backup")
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code != 0
    assert f"No backup written: {target} exists; pass --force to overwrite it." in refused.output
    assert target.read_text() == "an older backup"
    forced = runner.invoke(args=["backup", "--force", str(target)])
    assert forced.exit_code == 0, forced.output
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    live = make_url(app.config["DATABASE_URL"]).database
    itself = runner.invoke(args=["backup", "--force", live])
    assert itself.exit_code != 0 and "is the live database itself" in itself.output
    nowhere = runner.invoke(args=["backup", str(tmp_path / "missing" / "x.sqlite3")])
    assert nowhere.exit_code != 0 and "does not exist" in nowhere.output
    assert not list(tmp_path.glob(".*partial"))


def _restore(app, path) -> object:
    return app.test_cli_runner().invoke(args=["restore", str(path)])


def test_restore_refuses_what_is_not_a_scanshare_database(app, frozen, tmp_path):
    code = Api(app).make_link()["code"]
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database at all\n" * 200)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    newer = tmp_path / "newer.sqlite3"
    shutil.copy(make_url(app.config["DATABASE_URL"]).database, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("DELETE FROM alembic_version")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    cases = {
        text_file: "is not a ScanShare SQLite database (file is not a database)",
        other: "is not a ScanShare SQLite database (it has no alembic_version table)",
        newer: "has schema revision 9999, which this version of ScanShare does not know",
        tmp_path / "absent.sqlite3": "does not exist",
    }
    for path, message in cases.items():
        result = _restore(app, path)
        assert result.exit_code != 0, path
        assert f"Nothing restored: {path} " in result.output and message in result.output
    assert Api(app).get(f"/links/{code}").status_code == 200  # the live database is untouched


HOLD_LOCK = """
import sys, threading
from share.scans.spool import Spool
stop = threading.Event()
kept = Spool(sys.argv[1]).keep_ingest_lock(stop)
print("holding", flush=True)
sys.stdin.readline()
kept.__exit__(None, None, None)
"""


def test_restore_refuses_while_a_dedicated_ingester_runs(app, frozen, tmp_path):
    runner = app.test_cli_runner()
    copy = tmp_path / "copy.sqlite3"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0
    folder = services.of(app).redirector.spool.folder
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = _restore(app, copy)
        assert result.exit_code != 0
        assert f"a dedicated scan ingester (pid {holder.pid}) is running" in result.output
        assert "Stop the service" in result.output
    finally:
        holder.communicate("\n", timeout=10)
    result = _restore(app, copy)  # stopped: the restore goes ahead
    assert result.exit_code == 0, result.output


def _spool_scan(spool: Spool, link_id: int, n: int) -> None:
    spool.append(
        encode({
            "link_id": link_id, "ts_us": clock.epoch_micros(NOW - timedelta(minutes=n)),
            "placement": "qr", "client": "browser", "platform": "windows", "is_bot": False,
            "referrer_host": None, "user_agent": CHROME, "visitor": f"{n:032x}",
        })
    )  # fmt: skip


def test_scans_spooled_after_the_backup_reach_the_restored_database_once(app, frozen, tmp_path):
    """Backup after 3 scans; 2 more ingested into the old database, 1 left spooled; restore: 6."""
    link = Api(app).make_link()
    link_id = _counts_key(app, link["code"])
    redirector = services.of(app).redirector
    writer = Spool(redirector.spool.folder)  # a worker that keeps appending to one file
    for n in range(3):
        _spool_scan(writer, link_id, n)
    assert redirector.flush() == 3
    copy = tmp_path / "copy.sqlite3"
    assert app.test_cli_runner().invoke(args=["backup", str(copy)]).exit_code == 0
    for n in range(3, 5):
        _spool_scan(writer, link_id, n)
    assert redirector.flush() == 2  # in the database that is about to be replaced
    _spool_scan(writer, link_id, 5)  # never ingested before the restore
    result = _restore(app, copy)
    assert result.exit_code == 0, result.output
    assert _counts_held(app.config["DATABASE_URL"]) == {link["code"]: (3, 3, 0)}
    assert redirector.flush() == 3  # the two the backup missed, and the one still waiting
    assert _counts_held(app.config["DATABASE_URL"]) == {link["code"]: (6, 6, 0)}
    assert redirector.flush() == 0
    writer.close()
    assert _counts_answered(app, [link["code"]]) == {link["code"]: (6, 6, 0)}
    assert_rollups_match_raw(app.config["DATABASE_URL"])


def _counts_key(app, code: str) -> int:
    with services.of(app).engine.connect() as conn:
        return conn.execute(text("SELECT id FROM links WHERE code = :c"), {"c": code}).scalar_one()


def test_an_older_backup_is_upgraded_and_its_rollups_built(app, frozen, tmp_path):
    """A backup at revision 0004 (before the roll-ups): restored, migrated, every scan counted."""
    old = tmp_path / "old.sqlite3"
    migrate(f"sqlite:///{old}", "0004")
    stored = clock.to_storage(NOW)
    with sqlite3.connect(old) as conn:
        conn.execute(
            "INSERT INTO links (id, code, url, meta_version, disabled, created_at, updated_at)"
            " VALUES (1, 'Ab3cdE7', 'https://news.example.com/old', 1, 0, ?, ?)",
            (str(stored), str(stored)),
        )
        for n in range(4):
            conn.execute(
                "INSERT INTO scans (link_id, ts, hour, placement, client, platform, is_bot,"
                " referrer_host, user_agent, visitor) VALUES (1, ?, ?, 'qr', 'browser',"
                " 'windows', ?, NULL, 'x', ?)",
                (str(stored - timedelta(minutes=n)), clock.epoch_hour(NOW) - (n > 1), n == 3,
                 f"v{n % 2}"),
            )  # fmt: skip
    result = _restore(app, old)
    assert result.exit_code == 0, result.output
    assert "schema 0004" in result.output
    engine = services.of(app).engine
    with engine.connect() as conn:
        heads = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    assert "0004" not in heads and "0007" in heads | _ancestors(heads)
    assert _counts_answered(app, ["Ab3cdE7"]) == {"Ab3cdE7": (3, 2, 1)}


def _ancestors(heads: set[str]) -> set[str]:
    from alembic.script import ScriptDirectory

    from share.db import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return {s.revision for head in heads for s in scripts.iterate_revisions(head, "base")}


def test_postgresql_backup_names_pg_dump_and_that_dump_restores_every_count(
    postgres_url, frozen, tmp_path
):
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore not installed (Debian package postgresql-client)")
    app = make_app(postgres_url, tmp_path / "pg")
    database = f"restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(postgres_url).set(query={}), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    restored = None
    try:
        api = Api(app)
        codes = [api.make_link(f"https://news.example.com/pg/{n}")["code"] for n in range(2)]
        redirector = services.of(app).redirector
        for n in range(60):
            redirector.scan(
                codes[n % 2], method="GET", headers={"User-Agent": AGENTS[n % 4]},
                remote_addr=f"198.51.100.{n % 9}", src="qr", now=NOW - timedelta(minutes=n),
            )  # fmt: skip
        redirector.flush()
        dump = tmp_path / "scanshare.dump"
        result = app.test_cli_runner().invoke(args=["backup", str(dump)])
        assert result.exit_code != 0
        assert "pg_dump" in result.output and "pg_restore" in result.output
        line = next(
            x.strip() for x in result.output.splitlines() if x.strip().startswith("pg_dump")
        )
        schema = next(w for w in shlex.split(line) if w.startswith("--schema="))[9:]
        done = subprocess.run(shlex.split(line), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {database}"))
        target = make_url(postgres_url).set(database=database, query={})
        into = target.set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={into}", str(dump)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        restored_url = target.update_query_dict(
            {"options": f"-csearch_path={schema}"}
        ).render_as_string(hide_password=False)
        restored = make_app(restored_url, tmp_path / "restored")
        held = _counts_held(postgres_url)
        assert sum(h for h, _, _ in held.values()) > 0
        assert _counts_answered(restored, codes) == held == _counts_answered(app, codes)
        assert_rollups_match_raw(restored_url)
    finally:
        if restored is not None:
            close_app(restored)
        close_app(app)
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        admin.dispose()


def test_pg_commands_never_print_the_password():
    url = "postgresql+psycopg://scans:s3cret@db.example.com:5433/share?options=-csearch_path%3Dprod"
    dump = store.pg_dump_command(url, "/backups/share.dump")
    assert dump == (
        "pg_dump --format=custom --no-owner --file=/backups/share.dump --schema=prod "
        "--dbname=postgresql://scans@db.example.com:5433/share"
    )
    assert "s3cret" not in store.pg_restore_command(url, "x.dump")
    assert "PGPASSWORD" in store.pg_password_note(url)


def test_restore_on_postgresql_points_at_pg_restore(postgres_url, frozen, tmp_path):
    app = make_app(postgres_url, tmp_path / "pg")
    try:
        result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "x.dump")])
    finally:
        close_app(app)
    assert result.exit_code != 0
    assert "pg_restore --clean --if-exists --no-owner" in result.output
