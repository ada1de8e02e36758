"""The site logo of ``?logo=1`` QR codes: ``brand_logo``, at most one row (id 1).

The normalised PNG lives in the database because several app instances share
only the database; ``version`` (its hash) goes into every logo code's cache
key and ETag, so a changed logo is never served from a stale cache.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brand_logo",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_brand_logo"),
    )


def downgrade() -> None:
    op.drop_table("brand_logo")
