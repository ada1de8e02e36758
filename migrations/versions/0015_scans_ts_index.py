"""An index on ``scans.ts``: the live view reads the last half hour of raw scans.

Also speeds up ``flask prune`` (raw scans before the horizon) and the raw-scans
CSV's time range.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_scans_ts", "scans", ["ts"])


def downgrade() -> None:
    op.drop_index("ix_scans_ts", table_name="scans")
