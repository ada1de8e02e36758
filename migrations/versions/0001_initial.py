"""Initial schema: links, scans, API keys, widget opens, admins.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "links",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("description", sa.Text()),
        sa.Column("image", sa.String(2048)),
        sa.Column("site_name", sa.String(300)),
        sa.Column("lang", sa.String(16)),
        sa.Column("canonical_url", sa.String(2048)),
        sa.Column("fetch_error", sa.String(300)),
        sa.Column("fetched_at", sa.DateTime()),
        sa.Column("title_override", sa.Text()),
        sa.Column("description_override", sa.Text()),
        sa.Column("image_override", sa.String(2048)),
        sa.Column("meta_version", sa.Integer(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_links"),
        sa.UniqueConstraint("code", name="uq_links_code"),
        sa.UniqueConstraint("url", name="uq_links_url"),
    )
    op.create_index("ix_links_created", "links", ["created_at", "id"])
    op.create_table(
        "scans",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("ts", sa.DateTime(), nullable=False),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("placement", sa.String(32), nullable=False),
        sa.Column("client", sa.String(16), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("referrer_host", sa.String(255)),
        sa.Column("user_agent", sa.String(512), nullable=False),
        sa.Column("visitor", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scans"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], ondelete="CASCADE", name="fk_scans_link_id_links"
        ),
    )
    op.create_index("ix_scans_link_hour", "scans", ["link_id", "hour"])
    op.create_index("ix_scans_hour", "scans", ["hour"])
    op.create_table(
        "api_keys",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime()),
        sa.Column("revoked_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("prefix", name="uq_api_keys_prefix"),
    )
    op.create_table(
        "widget_opens",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "day", name="pk_widget_opens"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], ondelete="CASCADE", name="fk_widget_opens_link_id_links"
        ),
    )
    op.create_table(
        "admins",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_admins"),
        sa.UniqueConstraint("username", name="uq_admins_username"),
    )


def downgrade() -> None:
    for table in ("admins", "widget_opens", "api_keys", "scans", "links"):
        op.drop_table(table)
