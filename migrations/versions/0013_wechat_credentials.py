"""WeChat's access token and jsapi ticket, cached for every worker and instance.

One row per credential (``access_token:<app id>``, ``jsapi_ticket:<app id>``)
and one for the lease that lets a single process refresh them at a time.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wechat_credentials",
        sa.Column("name", sa.String(160), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires", sa.Float(precision=53), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_wechat_credentials"),
    )


def downgrade() -> None:
    op.drop_table("wechat_credentials")
