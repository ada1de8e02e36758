"""Copies of the database: SQLite's online backup, and the ``pg_dump`` line for PostgreSQL.

SQLite's backup API copies every page in one step under one read
transaction: in WAL mode writers (the ingester, a direct-write redirect) go
on meanwhile and the copy is the database as of one commit, never a mix of
two. The copy is written beside its destination and renamed into place, so
a half-written backup never carries the final name. Restoring is the same
API the other way round: the live file is locked for the copy and readers
see the old database or the new one, never a blend.

PostgreSQL has its own tools; :func:`pg_dump_command` and
:func:`pg_restore_command` spell them for the configured URL, without its
password.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, in one sentence."""


def engine_name(url: str) -> str:
    """``sqlite`` or ``postgresql``."""
    return make_url(url).get_backend_name()


def sqlite_file(url: str) -> Path:
    """The file a ``sqlite:///`` URL names; :class:`BackupError` for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise BackupError("the database is in memory: there is no file to back up or restore.")
    return Path(database)


def _connect(path: Path, *, read_only: bool = False, timeout: float = 30.0) -> sqlite3.Connection:
    if read_only:
        uri = f"file:{path.resolve().as_posix()}?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    return sqlite3.connect(path, timeout=timeout, isolation_level=None)


def backup_sqlite(source: Path, target: Path, *, force: bool = False) -> int:
    """Copy the live database ``source`` to ``target`` consistently; its size in bytes.

    Refuses an existing ``target`` unless ``force``. The copy is a plain
    (rollback-journal) file: one file, nothing beside it to forget.
    """
    if not source.is_file():
        raise BackupError(f"the database file {source} does not exist.")
    if target.is_dir():
        raise BackupError(f"{target} is a directory; give the backup file's name.")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist.")
    if target.exists() and target.resolve() == source.resolve():
        raise BackupError(f"{target} is the live database itself; choose another file.")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; pass --force to overwrite it.")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    temporary.unlink(missing_ok=True)
    try:
        src, dst = _connect(source), _connect(temporary)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode=DELETE")
            verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
        if verdict != "ok":
            raise BackupError(f"the copy failed its check ({verdict}); nothing was written.")
        with open(temporary, "rb") as fh:
            os.fsync(fh.fileno())
        if force:
            os.replace(temporary, target)
        else:
            try:
                os.link(temporary, target)  # fails if target appeared meanwhile
            except FileExistsError:
                raise BackupError(f"{target} exists; pass --force to overwrite it.") from None
        _sync_folder(target.parent)
        return target.stat().st_size
    finally:
        temporary.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_sqlite_backup(path: Path, known_revisions: set[str]) -> list[str]:
    """Make sure ``path`` is a sound ScanShare SQLite database; its schema revisions.

    It must pass ``integrity_check`` and carry Alembic's ``alembic_version``
    with revisions this code knows (an older one is fine: it is upgraded
    after the restore; a newer one would be a downgrade).
    """
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    try:
        conn = _connect(path, read_only=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened ({exc}).") from None
    try:
        verdict = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            raise BackupError(f"{path} is damaged (integrity_check: {'; '.join(verdict)[:200]}).")
        revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError as exc:
        reason = str(exc)
        if "no such table" in reason:
            reason = "it has no alembic_version table"
        raise BackupError(f"{path} is not a ScanShare SQLite database ({reason}).") from None
    finally:
        conn.close()
    if not revisions:
        raise BackupError(f"{path} is not a ScanShare SQLite database (no schema revision).")
    unknown = sorted(set(revisions) - known_revisions)
    if unknown:
        raise BackupError(
            f"{path} has schema revision {', '.join(unknown)}, which this version of ScanShare "
            "does not know (a backup from a newer version?)."
        )
    return revisions


def restore_sqlite(source: Path, target: Path) -> None:
    """Copy the backup ``source`` over the live database ``target`` (locked while copying)."""
    src = _connect(source, read_only=True)
    try:
        dst = _connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")  # what the app runs in
        except sqlite3.Error as exc:
            raise BackupError(f"the restore failed ({exc}); the database is unchanged.") from None
        finally:
            dst.close()
    finally:
        src.close()


def _libpq(url: str) -> tuple[str, str | None, bool]:
    """The URL as libpq takes it (no driver, no password), the schema in ``search_path``, and
    whether a password was dropped."""
    parsed = make_url(url)
    options = parsed.query.get("options")
    schema = None
    if isinstance(options, str) and options.startswith("-csearch_path="):
        schema = options.removeprefix("-csearch_path=").split(",")[0].strip() or None
    query = {k: v for k, v in parsed.query.items() if not (k == "options" and schema)}
    bare = parsed._replace(drivername="postgresql", password=None).set(query=query)
    return bare.render_as_string(hide_password=False), schema, parsed.password is not None


def pg_dump_command(url: str, path: str) -> str:
    """The ``pg_dump`` line that backs up the database at ``url`` into ``path``."""
    uri, schema, _ = _libpq(url)
    words = ["pg_dump", "--format=custom", "--no-owner", f"--file={path}"]
    if schema:
        words.append(f"--schema={schema}")
    return shlex.join([*words, f"--dbname={uri}"])


def pg_restore_command(url: str, path: str) -> str:
    """The ``pg_restore`` line that loads such a dump into the database at ``url``."""
    uri, _, _ = _libpq(url)
    return shlex.join(
        ["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={uri}", path]
    )


def pg_password_note(url: str) -> str:
    """Where the tools find the password when the URL has one (it is never printed)."""
    if _libpq(url)[2]:
        return " The password is not shown: give it in PGPASSWORD or ~/.pgpass."
    return ""
