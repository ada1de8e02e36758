"""Queries on ``brand_logo``: the one site logo, its version, replace and remove.

A single row (id 1). Reading the version alone is what a ``?logo=1`` request
costs; the PNG is read only when this process has not seen that version yet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from .engine import read, write
from .schema import brand_logo

_ROW = 1


def version(engine: Engine) -> str | None:
    """The stored logo's version (its hash), or None when no logo is uploaded."""
    with read(engine) as conn:
        return conn.execute(select(brand_logo.c.version).where(brand_logo.c.id == _ROW)).scalar()


def png(engine: Engine) -> tuple[str, bytes] | None:
    """``(version, png)`` of the stored logo, or None."""
    with read(engine) as conn:
        row = conn.execute(
            select(brand_logo.c.version, brand_logo.c.png).where(brand_logo.c.id == _ROW)
        ).first()
    return (row.version, bytes(row.png)) if row else None


def details(engine: Engine) -> dict | None:
    """``{"version", "updated_at", "bytes"}`` of the stored logo for the Brand page, or None."""
    with read(engine) as conn:
        row = conn.execute(
            select(brand_logo.c.version, brand_logo.c.updated_at, brand_logo.c.png).where(
                brand_logo.c.id == _ROW
            )
        ).first()
    if row is None:
        return None
    return {"version": row.version, "updated_at": row.updated_at, "bytes": len(row.png)}


def replace(engine: Engine, png_bytes: bytes, logo_version: str, at: datetime) -> None:
    """Make ``png_bytes`` the site logo (``at`` naive UTC, from share.clock)."""
    with write(engine) as conn:
        conn.execute(delete(brand_logo).where(brand_logo.c.id == _ROW))
        conn.execute(
            insert(brand_logo).values(id=_ROW, png=png_bytes, version=logo_version, updated_at=at)
        )


def remove(engine: Engine) -> bool:
    """Remove the uploaded logo; False when there was none."""
    with write(engine) as conn:
        return conn.execute(delete(brand_logo).where(brand_logo.c.id == _ROW)).rowcount > 0
