"""Queries on the ``admins`` table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError

from .engine import read, write
from .schema import admins


class DuplicateAdmin(Exception):
    """The username is taken."""


def insert(engine: Engine, username: str, password_hash: str, now: datetime) -> int:
    """Add an admin and return its id; :class:`DuplicateAdmin` when exactly this name exists.

    The unique index is case-sensitive, so callers check :func:`by_username` first.
    """
    try:
        with write(engine) as conn:
            result = conn.execute(
                admins.insert().values(
                    username=username, password_hash=password_hash, created_at=now
                )
            )
            return int(result.inserted_primary_key[0])
    except IntegrityError as exc:
        raise DuplicateAdmin(username) from exc


def by_username(engine: Engine, username: str) -> dict[str, Any] | None:
    """Case-insensitive: ``Alice`` and ``alice`` are one account."""
    with read(engine) as conn:
        row = (
            conn.execute(select(admins).where(func.lower(admins.c.username) == username.lower()))
            .mappings()
            .first()
        )
    return dict(row) if row else None


def by_id(engine: Engine, admin_id: int) -> dict[str, Any] | None:
    """The whole row, password hash included, or None: callers pass on only what they need."""
    with read(engine) as conn:
        row = conn.execute(select(admins).where(admins.c.id == admin_id)).mappings().first()
    return dict(row) if row else None


def set_password(engine: Engine, admin_id: int, password_hash: str) -> None:
    """Store a new password hash; an unknown ``admin_id`` changes nothing and raises nothing."""
    with write(engine) as conn:
        conn.execute(
            update(admins).where(admins.c.id == admin_id).values(password_hash=password_hash)
        )


def touch_login(engine: Engine, admin_id: int, now: datetime) -> None:
    """Record ``now`` (naive UTC) as the admin's last successful login."""
    with write(engine) as conn:
        conn.execute(update(admins).where(admins.c.id == admin_id).values(last_login_at=now))
