"""Alembic environment: runs on the connection or URL ``share.db`` hands over."""

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from share.storage.schema import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = create_engine(config.attributes["url"], poolclass=NullPool)
    with engine.begin() as conn:
        _run_on(conn)


def _run_on(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
