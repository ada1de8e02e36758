"""The database's one home in the app: engine per app, migrations, CLI.

The engine is created once per app (it pools connections) and disposed when
a forked worker starts, so no connection crosses ``fork``. Views get it with
:func:`get_engine`; domain code receives it as an argument.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from .storage.engine import make_engine, make_unpooled_engine, ping  # noqa: F401 - re-export

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def init_app(app: Flask) -> Engine:
    """The app's engine, disposed in forked children so no connection crosses ``fork``."""
    engine = make_engine(app.config["DATABASE_URL"], busy_timeout=app.config["SQLITE_BUSY_TIMEOUT"])
    # With `gunicorn --preload` the engine is made before the workers fork: a
    # child must not reuse the parent's pooled connections.
    ref = weakref.ref(engine)
    os.register_at_fork(after_in_child=lambda: (e := ref()) is not None and e.dispose(close=False))
    return engine


def get_engine() -> Engine:
    """The engine of the app handling this request or command."""
    from . import services

    return services.current().engine


def alembic_config(url: str) -> Config:
    """Alembic's config for ``url`` without an ``alembic.ini``: the app owns the settings."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def migrate(url: str, revision: str = "head") -> None:
    """Bring the schema at ``url`` up to ``revision`` (idempotent)."""
    engine = make_unpooled_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Create or upgrade the database schema to the latest version."""
    url = current_app.config["DATABASE_URL"]
    try:
        migrate(url)
    except (OperationalError, InterfaceError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        raise click.ClickException(
            f"SHARE_DATABASE_URL: cannot reach the database ({reason})."
        ) from None
    from .scans.ingest import prepare_rollups  # the domain, only once the schema is there

    prepare_rollups(get_engine(), current_app.config["TIMEZONE"])
    click.echo("Database is up to date.")
