"""Queries on the ``api_keys`` table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update

from .engine import read, write
from .schema import api_keys


def insert(engine: Engine, values: dict[str, Any]) -> None:
    """Add a key row; ``values`` are its columns, with the key's hash and never the key itself."""
    with write(engine) as conn:
        conn.execute(api_keys.insert().values(**values))


def by_prefix(engine: Engine, prefix: str) -> dict[str, Any] | None:
    """The row (hash included) with exactly this prefix, revoked or not; None if there is none."""
    with read(engine) as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).mappings().first()
    return dict(row) if row else None


def all_keys(engine: Engine) -> list[dict[str, Any]]:
    """Every row, newest first, hashes included: callers strip ``key_hash`` before showing them."""
    with read(engine) as conn:
        rows = conn.execute(select(api_keys).order_by(api_keys.c.created_at.desc()))
        return [dict(r) for r in rows.mappings()]


def revoke(engine: Engine, prefix: str, when: datetime) -> int:
    """Revoke every live key whose prefix *starts with* ``prefix``; how many were revoked."""
    with write(engine) as conn:
        result = conn.execute(
            update(api_keys)
            .where(api_keys.c.prefix.startswith(prefix, autoescape=True))
            .where(api_keys.c.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        return result.rowcount


def touch(engine: Engine, key_id: int, when: datetime) -> None:
    """Record a use at ``when``; callers throttle it so each API call is not also a write."""
    with write(engine) as conn:
        conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=when))
