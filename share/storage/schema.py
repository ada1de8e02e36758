"""The database schema, as SQLAlchemy Core tables.

Alembic migrations in ``migrations/`` create exactly this; a test compares the
two on both engines. Times are naive UTC. ``scans.hour`` (whole hours since
the epoch) is stored beside ``ts`` so day/hour buckets are plain integer
arithmetic on SQLite and PostgreSQL alike.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only makes INTEGER PRIMARY KEY an alias of rowid (autoincrement).
BigId = BigInteger().with_variant(Integer, "sqlite")

links = Table(
    "links",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("url", String(2048), nullable=False, unique=True),
    # what the page said about itself (fetched)
    Column("title", Text),
    Column("description", Text),
    Column("image", String(2048)),
    Column("site_name", String(300)),
    Column("lang", String(16)),
    Column("canonical_url", String(2048)),
    Column("fetch_error", String(300)),
    Column("fetched_at", DateTime),
    # what an editor or API caller set (wins over fetched values)
    Column("title_override", Text),
    Column("description_override", Text),
    Column("image_override", String(2048)),
    Column("meta_version", Integer, nullable=False, default=1),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_links_created", links.c.created_at, links.c.id)

scans = Table(
    "scans",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("link_id", BigId, ForeignKey("links.id", ondelete="CASCADE"), nullable=False),
    Column("ts", DateTime, nullable=False),
    Column("hour", Integer, nullable=False),
    Column("placement", String(32), nullable=False),
    Column("client", String(16), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("is_bot", Boolean, nullable=False),
    Column("referrer_host", String(255)),
    Column("user_agent", String(512), nullable=False),
    Column("visitor", String(32), nullable=False),
)
Index("ix_scans_link_hour", scans.c.link_id, scans.c.hour)
Index("ix_scans_hour", scans.c.hour)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
    Column("revoked_at", DateTime),
)

# Widget popup opens per quarter-hour slot (epoch seconds // 900, see
# share.clock), so they fall into any zone's days and hours like scans do.
widget_opens = Table(
    "widget_open_slots",
    metadata,
    Column("link_id", BigId, ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("opens", Integer, nullable=False, default=0),
)

# How far each spool file has been ingested (migration 0004). Updated in the
# same transaction as the scan rows it covers, so a crash between the two
# neither loses nor doubles a scan.
spool_positions = Table(
    "spool_positions",
    metadata,
    Column("spool_id", String(32), primary_key=True),
    Column("file", String(64), primary_key=True),
    Column("offset", BigInteger, nullable=False),
)

admins = Table(
    "admins",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_login_at", DateTime),
)

# Dashboard roll-ups (migrations 0002, 0003), refreshed at read time by
# share.storage.rollups: the redirect never writes them. Days are local days
# in ``rollup_state.timezone``; a change of time zone rebuilds them. Client
# counts are kept per quarter-hour slot so local hours of any zone add up.
rollup_link_days = Table(
    "rollup_link_days",
    metadata,
    Column("link_id", BigId, ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("scans", Integer, nullable=False),
    Column("uniques", Integer, nullable=False),
    Column("bots", Integer, nullable=False),
    Column("widget_scans", Integer, nullable=False),
    Column("last_scan", DateTime),
)
Index("ix_rollup_link_days_day", rollup_link_days.c.day)

rollup_client_slots = Table(
    "rollup_client_slots",
    metadata,
    Column("slot", Integer, primary_key=True),
    Column("client", String(16), primary_key=True),
    Column("scans", Integer, nullable=False),
)

rollup_state = Table(
    "rollup_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("timezone", String(64), nullable=False),
    Column("last_day", Date, nullable=False),
)
