"""Share-button clicks: ``share_clicks``, one counter per link, share target and slot.

``GET /t/<target>`` (and the widget's beacon for copy and native share)
adds one to the row of its link, target and quarter-hour slot (seconds
since the epoch // 900, as widget opens), so shares fall into any zone's
days and hours. The primary key is the upsert's conflict target. Rows go
with their link (ON DELETE CASCADE, and share.storage.deletion deletes
every table pointing at ``links.id``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "share_clicks",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "target", "slot", name="pk_share_clicks"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], ondelete="CASCADE", name="fk_share_clicks_link_id_links"
        ),
    )


def downgrade() -> None:
    op.drop_table("share_clicks")
