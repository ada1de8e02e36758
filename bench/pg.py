"""A throwaway PostgreSQL schema for a benchmark run (the server at SHARE_TEST_POSTGRES_URL)."""

from __future__ import annotations

import contextlib
import os
import secrets

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

PG_URL = os.environ.get(
    "SHARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextlib.contextmanager
def scratch_schema():
    """Yield a database URL on a schema of its own, dropped afterwards; ``None`` without a server."""
    admin = create_engine(PG_URL, poolclass=NullPool)
    schema = f"bench_{secrets.token_hex(4)}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001
        print(f"[postgres] skipped: {type(exc).__name__}: {exc}")
        admin.dispose()
        yield None
        return
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
