"""Deleted links stay as tombstones: ``links.deleted_at``, and ``links.url`` may be empty.

Deleting a link removes its scans, opens and roll-ups, but its row stays
behind with the time of deletion and without its URL or metadata: printed QR
codes keep carrying the code, so it must answer 410 Gone forever and never
be handed to another article (``links.code`` stays unique). The URL is
cleared (hence nullable; several NULLs never clash on a unique column in
SQLite or PostgreSQL), so sharing the same article again registers a new
link with a new code.

On SQLite the column change rebuilds the table (Alembic's batch mode). The
migration connection runs with foreign keys off (SQLite's default), so
dropping the old copy does not cascade into the rows that point at it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("links") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
        batch.alter_column("url", existing_type=sa.String(2048), nullable=True)


def downgrade() -> None:
    # a tombstone has nothing left worth keeping; without it the code could be drawn again
    op.execute("DELETE FROM links WHERE deleted_at IS NOT NULL")
    with op.batch_alter_table("links") as batch:
        batch.alter_column("url", existing_type=sa.String(2048), nullable=False)
        batch.drop_column("deleted_at")
