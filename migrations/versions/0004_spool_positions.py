"""Spool positions: how far each scan-spool file has been ingested.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spool_positions",
        sa.Column("spool_id", sa.String(32), nullable=False),
        sa.Column("file", sa.String(64), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("spool_id", "file", name="pk_spool_positions"),
    )


def downgrade() -> None:
    op.drop_table("spool_positions")
