"""Writing scans: the redirect's one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from .engine import write
from .links import redirect_target
from .schema import scans

_INSERT = scans.insert()


def lookup_and_record(engine: Engine, code: str, make_row) -> tuple[int, str, bool] | None:
    """Find the link for ``code`` and, when it is live, insert ``make_row(link_id)``.

    One write transaction for both, so a 302 is only answered after its scan
    row is committed. Returns ``(link_id, url, disabled)`` or ``None``.
    """
    with write(engine) as conn:
        target = redirect_target(conn, code)
        if target is not None and not target[2]:
            conn.execute(_INSERT, make_row(target[0]))
        return target


def insert_many(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Bulk insert (seeding, benchmarks, tests)."""
    with write(engine) as conn:
        conn.execute(_INSERT, rows)
