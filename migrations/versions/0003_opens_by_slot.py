"""Widget opens per quarter-hour slot; client roll-ups per slot.

Opens were filed per UTC day, which cannot be cut into another zone's days
or hours. From here on an open is filed in its quarter-hour slot (seconds
since the epoch // 900), fine enough for every zone in use (+5:30, +5:45).
The counts kept so far move to the first slot of their UTC day, so no open
is lost; only their time of day within that UTC day is unknown, as before.

``rollup_client_hours`` becomes ``rollup_client_slots`` for the same
reason. Roll-ups are derived data: the table starts empty and
``rollup_state`` is cleared, so the next dashboard read rebuilds them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SLOTS_PER_DAY = 96
EPOCH_DAY = 719163  # date(1970, 1, 1).toordinal()


def _slot_table():
    op.create_table(
        "widget_open_slots",
        sa.Column("link_id", BigId, nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "slot", name="pk_widget_open_slots"),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], ondelete="CASCADE", name="fk_widget_open_slots_link_id_links"
        ),
    )


def upgrade() -> None:
    _slot_table()
    conn = op.get_bind()
    old = sa.table(
        "widget_opens", sa.column("link_id"), sa.column("day", sa.Date()), sa.column("opens")
    )
    new = sa.table("widget_open_slots", sa.column("link_id"), sa.column("slot"), sa.column("opens"))
    rows = [
        {
            "link_id": link_id,
            "slot": (day.toordinal() - EPOCH_DAY) * SLOTS_PER_DAY,
            "opens": opens,
        }
        for link_id, day, opens in conn.execute(sa.select(old.c.link_id, old.c.day, old.c.opens))
    ]
    if rows:
        conn.execute(new.insert(), rows)
    op.drop_table("widget_opens")

    op.drop_table("rollup_client_hours")
    _client_rollup("rollup_client_slots", "slot")


def downgrade() -> None:
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
    conn = op.get_bind()
    new = sa.table("widget_open_slots", sa.column("link_id"), sa.column("slot"), sa.column("opens"))
    totals: dict = {}
    for link_id, slot, opens in conn.execute(sa.select(new.c.link_id, new.c.slot, new.c.opens)):
        day = date.fromordinal(EPOCH_DAY + slot // SLOTS_PER_DAY)
        totals[(link_id, day)] = totals.get((link_id, day), 0) + opens
    old = sa.table(
        "widget_opens", sa.column("link_id"), sa.column("day", sa.Date()), sa.column("opens")
    )
    if totals:
        conn.execute(
            old.insert(), [{"link_id": k[0], "day": k[1], "opens": v} for k, v in totals.items()]
        )
    op.drop_table("widget_open_slots")
    op.drop_table("rollup_client_slots")
    _client_rollup("rollup_client_hours", "hour")


def _client_rollup(table: str, key: str) -> None:
    """Human scans per (time key, client), empty; roll-ups are rebuilt on the next read."""
    op.create_table(
        table,
        sa.Column(key, sa.Integer(), nullable=False),
        sa.Column("client", sa.String(16), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(key, "client", name=f"pk_{table}"),
    )
    op.execute("DELETE FROM rollup_link_days")
    op.execute("DELETE FROM rollup_state")
