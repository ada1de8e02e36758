"""Dashboard roll-ups: scans per link per local day, per client per hour.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rollup_link_days",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("uniques", sa.Integer(), nullable=False),
        sa.Column("bots", sa.Integer(), nullable=False),
        sa.Column("widget_scans", sa.Integer(), nullable=False),
        sa.Column("last_scan", sa.DateTime()),
        sa.PrimaryKeyConstraint("link_id", "day", name="pk_rollup_link_days"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], ondelete="CASCADE", name="fk_rollup_link_days_link_id_links"
        ),
    )
    op.create_index("ix_rollup_link_days_day", "rollup_link_days", ["day"])
    op.create_table(
        "rollup_client_hours",
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(16), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "client", name="pk_rollup_client_hours"),
    )
    op.create_table(
        "rollup_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rollup_state"),
    )


def downgrade() -> None:
    for table in ("rollup_state", "rollup_client_hours", "rollup_link_days"):
        op.drop_table(table)
