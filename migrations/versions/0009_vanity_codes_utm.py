"""Vanity codes up to 32 characters, and a link's own UTM templates: ``links.utm``.

``links.code`` widens from 16 to 32 characters for codes an API caller
chooses (3-32 of ``[A-Za-z0-9_-]``); random codes stay 7 characters and
share the same unique column, so neither can take the other's code.
``links.utm`` holds the link's UTM templates as JSON text (NULL: the site
default ``SHARE_UTM`` alone applies); text rather than a JSON type so both
engines store and read it the same way.

On SQLite the column change rebuilds the table (Alembic's batch mode), with
foreign keys off as in 0008, so no scan rows cascade away.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-12
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("links") as batch:
        batch.alter_column(
            "code", existing_type=sa.String(16), type_=sa.String(32), existing_nullable=False
        )
        batch.add_column(sa.Column("utm", sa.Text(), nullable=True))


def downgrade() -> None:
    # vanity codes longer than 16 characters cannot go back; their links go (as tombstones would)
    op.execute("DELETE FROM links WHERE LENGTH(code) > 16")
    with op.batch_alter_table("links") as batch:
        batch.drop_column("utm")
        batch.alter_column(
            "code", existing_type=sa.String(32), type_=sa.String(16), existing_nullable=False
        )
