"""The article's byline on links: ``published_at`` and ``author``, for share cards.

Read from the article page (``article:published_time``, ``<meta name="author">``,
``article:author``, JSON-LD ``datePublished`` / ``author.name``) by
share.metadata and printed on cards; NULL where the page says nothing. Not in
the public link JSON. ``published_at`` is naive UTC like every stored time.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("links") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("author", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("links") as batch:
        batch.drop_column("author")
        batch.drop_column("published_at")
