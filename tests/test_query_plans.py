"""Reads that must stay cheap at any table size go through an index (asked of each engine's planner).

A benchmark at 10 M scans shows the cost; these tests keep the plan that
makes it so from being lost by a schema or query change.
"""

from __future__ import annotations

from sqlalchemy import text

from share import services
from share.sharing import targets
from share.storage import shares


def _plan(engine, sql: str, params: dict) -> str:
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql), params).all()
        else:
            conn.execute(text("SET enable_seqscan = off"))
            rows = conn.execute(text("EXPLAIN " + sql), params).all()
    return " ".join(str(row) for row in rows)


def test_visits_back_per_target_read_only_those_placements(any_app):
    engine = services.of(any_app).engine
    sql = (
        "SELECT value, sum(q0 + q1 + q2 + q3) FROM rollup_link_dims "
        "WHERE dim = 'placement' AND value IN ('weibo', 'qq') AND hour >= :h GROUP BY value"
    )
    assert "ix_rollup_link_dims_value" in _plan(engine, sql, {"h": 0})
    assert shares.visits_back(engine, targets.ALL, None) == {}  # the real query runs too
