"""The prune horizon: raw scans before it were deleted, roll-ups before it are the record.

``flask prune`` deletes raw ``scans`` rows older than
``SHARE_SCAN_RETENTION_DAYS``; the roll-ups keep every count. A rebuild
derives roll-ups from raw rows, so it must know where raw rows stop being
complete: this one-row table says so, and ``flask rebuild-rollups`` leaves
everything before it alone. No row: nothing was ever pruned.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retention_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("pruned_before", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_retention_state"),
    )


def downgrade() -> None:
    op.drop_table("retention_state")
