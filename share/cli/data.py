"""Commands for the data an operator keeps and removes: ``backup``, ``restore``, ``prune``.

Backups are taken while the service runs (SQLite's online backup API; for
PostgreSQL the command prints the ``pg_dump`` line). A restore replaces the
database, so it refuses while the service is ingesting. Pruning deletes raw
scans past ``SHARE_SCAN_RETENTION_DAYS``; every count stays in the roll-ups.

Scans still in the spool after a restore: positions live in the database,
in the same transaction as the rows they cover, so the restored database
says exactly which spooled lines it holds. Lines written after the backup
sit past those positions and are ingested into it once, when the service
starts; a spool file that was fully ingested and deleted before the
restore is gone, and so are its scans since the backup.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext

from share import services
from share.db import alembic_config, get_engine, migrate
from share.scans import retention
from share.scans.ingest import prepare_rollups
from share.scans.spool import Spool, folder_for, process_alive
from share.storage import backup as store
from share.storage.backup import BackupError


def _url() -> str:
    return current_app.config["DATABASE_URL"]


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup_command(path: Path, force: bool) -> None:
    """Copy the database to PATH while the service keeps running (SQLite).

    On PostgreSQL it prints the pg_dump command for the configured database.
    """
    url = _url()
    if store.engine_name(url) != "sqlite":
        raise click.ClickException(
            "PostgreSQL is backed up with pg_dump, which copies a running database "
            f"consistently:\n  {store.pg_dump_command(url, str(path))}\n"
            f"Restore into an empty database with:\n  {store.pg_restore_command(url, str(path))}\n"
            "then run `flask migrate`." + store.pg_password_note(url)
        )
    redirector = services.current().redirector
    if redirector is not None:
        try:  # scans spooled so far go in too (a dedicated ingester does it by itself)
            redirector.flush()
        except Exception as exc:  # noqa: BLE001 - the backup still has every stored scan
            click.echo(f"spooled scans not ingested first ({type(exc).__name__}).", err=True)
    try:
        size = store.backup_sqlite(store.sqlite_file(url), path, force=force)
    except (BackupError, OSError) as exc:
        raise click.ClickException(f"No backup written: {exc}") from None
    click.echo(f"Backed up the database to {path} ({size:,} bytes).")


def _known_revisions(url: str) -> set[str]:
    scripts = ScriptDirectory.from_config(alembic_config(url))
    return {script.revision for script in scripts.walk_revisions()}


def _busy(spool: Spool) -> str | None:
    """Why the service looks like it is running (it must be stopped to restore), or ``None``."""
    pid = spool.kept_by()
    if pid is not None:
        return f"a dedicated scan ingester (pid {pid}) is running"
    for f in spool.files():
        if f.pid != os.getpid() and process_alive(f.pid):
            return f"a process (pid {f.pid}) is still writing scans to the spool"
    return None


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Replace the SQLite database with the backup at PATH, then migrate it.

    Stop the service first. Scans spooled after the backup was taken and
    still in the spool are ingested into the restored database, once.
    """
    url = _url()
    if store.engine_name(url) != "sqlite":
        raise click.ClickException(
            "PostgreSQL is restored with pg_restore into an empty database:\n  "
            f"{store.pg_restore_command(url, str(path))}\nthen run `flask migrate`."
            + store.pg_password_note(url)
        )
    try:
        revisions = store.check_sqlite_backup(path, _known_revisions(url))
        target = store.sqlite_file(url)
    except BackupError as exc:
        raise click.ClickException(f"Nothing restored: {exc}") from None
    if target.exists() and target.resolve() == path.resolve():
        raise click.ClickException("Nothing restored: PATH is the live database itself.")
    folder = folder_for(current_app.instance_path, url)
    spool = Spool(folder) if folder.is_dir() else None
    if spool is not None and (why := _busy(spool)):
        raise click.ClickException(
            f"Nothing restored: {why}. Stop the service (gunicorn and its `flask ingest`) "
            "first, then restore."
        )
    services.current().engine.dispose()  # no pooled connection across the swap
    if spool is None:
        _restore(path, target, url)
    else:
        with spool.ingest_lock(timeout=10) as held:
            if not held:
                raise click.ClickException(
                    "Nothing restored: another process is ingesting scans; stop the service first."
                )
            _restore(path, target, url)
    click.echo(
        f"Restored {path} (schema {', '.join(revisions)}) into {target} and migrated it. "
        "Scans spooled since the backup and still in the spool are ingested when the service "
        "starts."
    )


def _restore(path: Path, target: Path, url: str) -> None:
    try:
        store.restore_sqlite(path, target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    migrate(url)  # an older backup is brought up to this version's schema
    prepare_rollups(get_engine(), current_app.config["TIMEZONE"])


@click.command("prune")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def prune_command(dry_run: bool) -> None:
    """Delete raw scans older than SHARE_SCAN_RETENTION_DAYS; every count stays.

    Rows go in short batches, so redirects and the ingester never wait long.
    """
    days = current_app.config.get("SCAN_RETENTION_DAYS")
    if days is None:
        click.echo("Retention is off (SHARE_SCAN_RETENTION_DAYS is unset): nothing deleted.")
        return
    done = retention.prune(get_engine(), days, current_app.config["TIMEZONE"], dry_run=dry_run)
    when = f"{done.horizon:%Y-%m-%d %H:%M} UTC"
    if done.dry_run:
        click.echo(f"Would delete {done.rows:,} raw scan rows from before {when} ({days} days).")
    else:
        click.echo(
            f"Deleted {done.rows:,} raw scan rows from before {when} ({days} days); "
            "the roll-ups keep their counts."
        )


COMMANDS = (backup_command, restore_command, prune_command)
