"""Roll-ups kept by the ingester: per link and slot, breakdowns per hour, first-seen visitors.

Until now only the overview had roll-ups, built when a dashboard was read;
article pages and the stats API read raw scans. From here on the ingester
keeps every count up to date as it inserts (docs/decisions/0008).

Roll-ups are derived data, so the old tables are dropped and every roll-up
table is created afresh, clustered by its key (``WITHOUT ROWID`` on SQLite,
so a link's range is read contiguously), with a covering index on
``rollup_link_days.day`` for the overview's per-day totals. ``rollup_state``
loses ``last_day`` (nothing is built at read time any more) and starts
empty, so ``flask migrate`` (or the first ingest) builds every roll-up from
the raw rows.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CLUSTERED = {"sqlite_with_rowid": False}


def _link_fk(table: str):
    return sa.ForeignKeyConstraint(
        ["link_id"], ["links.id"], ondelete="CASCADE", name=f"fk_{table}_link_id_links"
    )


def _counts():
    return [
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("uniques", sa.Integer(), nullable=False),
        sa.Column("bots", sa.Integer(), nullable=False),
        sa.Column("widget_scans", sa.Integer(), nullable=False),
        sa.Column("last_scan", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    # every query on scans now names its link (raw CSV); rebuilds read the whole table
    op.drop_index("ix_scans_hour", table_name="scans")
    op.drop_index("ix_rollup_link_days_day", table_name="rollup_link_days")
    op.drop_table("rollup_link_days")
    op.drop_table("rollup_client_slots")
    op.drop_table("rollup_state")
    op.create_table(
        "rollup_link_slots",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint("link_id", "slot", name="pk_rollup_link_slots"),
        _link_fk("rollup_link_slots"),
        **CLUSTERED,
    )
    op.create_table(
        "rollup_link_dims",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("dim", sa.String(16), nullable=False),
        sa.Column("value", sa.String(512), nullable=False),
        *(sa.Column(f"q{q}", sa.Integer(), nullable=False) for q in range(4)),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "hour", "dim", "value", name="pk_rollup_link_dims"),
        _link_fk("rollup_link_dims"),
        **CLUSTERED,
    )
    op.create_table(
        "rollup_visitors",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("visitor", sa.String(32), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "visitor", name="pk_rollup_visitors"),
        _link_fk("rollup_visitors"),
        **CLUSTERED,
    )
    op.create_table(
        "rollup_link_days",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint("link_id", "day", name="pk_rollup_link_days"),
        _link_fk("rollup_link_days"),
        **CLUSTERED,
    )
    op.create_index(
        "ix_rollup_link_days_day",
        "rollup_link_days",
        ["day", "scans", "uniques", "bots", "widget_scans"],
    )
    op.create_table(
        "rollup_client_slots",
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(16), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slot", "client", name="pk_rollup_client_slots"),
        **CLUSTERED,
    )
    op.create_table(
        "rollup_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rollup_state"),
    )


def downgrade() -> None:
    """Back to 0004's read-time roll-ups: empty, rebuilt by the next dashboard read."""
    for table in ("rollup_state", "rollup_client_slots", "rollup_visitors", "rollup_link_dims"):
        op.drop_table(table)
    op.drop_index("ix_rollup_link_days_day", table_name="rollup_link_days")
    op.drop_table("rollup_link_days")
    op.drop_table("rollup_link_slots")
    op.create_table(
        "rollup_link_days",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_counts(),
        sa.PrimaryKeyConstraint("link_id", "day", name="pk_rollup_link_days"),
        _link_fk("rollup_link_days"),
    )
    op.create_index("ix_rollup_link_days_day", "rollup_link_days", ["day"])
    op.create_table(
        "rollup_client_slots",
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(16), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slot", "client", name="pk_rollup_client_slots"),
    )
    op.create_table(
        "rollup_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rollup_state"),
    )
    op.create_index("ix_scans_hour", "scans", ["hour"])
