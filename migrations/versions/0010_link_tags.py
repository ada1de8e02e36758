"""Campaign tags on links: ``link_tags``, one row per link and tag.

``tag_key`` is the tag as compared (NFKC + casefold, share.links.tags), the
primary key with the link, so a link never holds one tag twice; ``tag`` is
the tag as first written, for display. The index on ``tag_key`` serves
``GET /api/v1/links?tag=``, ``GET /api/v1/tags`` and the dashboard's filter.
Rows go with their link (ON DELETE CASCADE, and share.storage.deletion
deletes every table pointing at ``links.id``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "link_tags",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("tag_key", sa.String(128), nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "tag_key", name="pk_link_tags"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], ondelete="CASCADE", name="fk_link_tags_link_id_links"
        ),
    )
    op.create_index("ix_link_tags_tag_key", "link_tags", ["tag_key"])


def downgrade() -> None:
    op.drop_index("ix_link_tags_tag_key", table_name="link_tags")
    op.drop_table("link_tags")
