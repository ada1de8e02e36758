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
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
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
    # random codes are 7 characters; vanity codes 3-32 (migration 0009)
    Column("code", String(32), nullable=False, unique=True),
    # NULL once deleted (migration 0008): the row stays as a tombstone, see ``deleted_at``
    Column("url", String(2048), unique=True),
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
    # set when deleted: scans, opens and roll-ups are gone, the code answers 410 and is
    # never drawn again (share.storage.deletion)
    Column("deleted_at", DateTime),
    # the link's own UTM templates, JSON text (share.links.utm); NULL: the site default alone
    Column("utm", Text),
    # the article's byline as its page gave it (migration 0014): printed on cards only
    Column("published_at", DateTime),
    Column("author", String(300)),
)
Index("ix_links_created", links.c.created_at, links.c.id)

# Campaign tags (migration 0010, share.links.tags): ``tag_key`` compares
# (NFKC + casefold), ``tag`` is shown as first written. Deleting a link takes
# its tags with it (share.storage.deletion follows every FK to links.id).
link_tags = Table(
    "link_tags",
    metadata,
    Column("link_id", BigId, ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_key", String(128), primary_key=True),
    Column("tag", String(64), nullable=False),
)
Index("ix_link_tags_tag_key", link_tags.c.tag_key)

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

# Share-button clicks per link, share target and quarter-hour slot (migration 0011,
# share.sharing): counted by ``/t/<target>``, nothing about the reader kept.
share_clicks = Table(
    "share_clicks",
    metadata,
    Column("link_id", BigId, ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    Column("target", String(32), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("shares", Integer, nullable=False, default=0),
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

# Roll-ups (migration 0005), kept by the ingester in the same
# transaction as the raw rows they count (share.storage.rollups), so pages and
# the stats API read counts that cost what the answer holds, not what
# ``scans`` holds. Raw rows stay the source of truth: ``flask
# rebuild-rollups`` derives all of these from them again and reports any
# difference. Clustered by their keys on SQLite (WITHOUT ROWID): a link's span
# is one contiguous read.


def _counts() -> list[Column]:
    """What a link's slot or day counts (the same columns in both roll-ups)."""
    return [
        Column("scans", Integer, nullable=False),
        Column("uniques", Integer, nullable=False),
        Column("bots", Integer, nullable=False),
        Column("widget_scans", Integer, nullable=False),
        Column("last_scan", DateTime),
    ]


# Per link and quarter-hour slot (epoch seconds // 900, exact in every zone):
# human scans, first-seen visitors, bots, widget scans, the last human scan.
rollup_link_slots = Table(
    "rollup_link_slots",
    metadata,
    Column("link_id", BigId, ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    Column("slot", Integer, primary_key=True),
    *_counts(),
    sqlite_with_rowid=False,
)

# Breakdowns per link and UTC hour: ``dim`` is client, platform, placement or
# referrer (human scans) or bot_agent (bot scans, by user agent). The four
# quarter columns keep a range that starts or ends at :15, :30 or :45 exact
# with a row per hour rather than one per slot.
rollup_link_dims = Table(
    "rollup_link_dims",
    metadata,
    Column("link_id", BigId, ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    Column("hour", Integer, primary_key=True),
    Column("dim", String(16), primary_key=True),
    Column("value", String(512), primary_key=True),
    Column("q0", Integer, nullable=False),
    Column("q1", Integer, nullable=False),
    Column("q2", Integer, nullable=False),
    Column("q3", Integer, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    sqlite_with_rowid=False,
)

# The slot of each visitor's first human scan of a link. The visitor hash
# changes every display-zone day (docs/decisions/0006), so this is one row per
# visitor and day; ``rollup_link_slots.uniques`` counts these rows per slot.
rollup_visitors = Table(
    "rollup_visitors",
    metadata,
    Column("link_id", BigId, ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    Column("visitor", String(32), primary_key=True),
    Column("slot", Integer, nullable=False),
    sqlite_with_rowid=False,
)

# Per link and local day of ``rollup_state.timezone`` (the display zone), for
# the overview's totals and top articles; summed from the slots above.
rollup_link_days = Table(
    "rollup_link_days",
    metadata,
    Column("link_id", BigId, ForeignKey("links.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),
    *_counts(),
    sqlite_with_rowid=False,
)
# covering, so the overview's per-day totals read the index alone
Index(
    "ix_rollup_link_days_day",
    rollup_link_days.c.day,
    rollup_link_days.c.scans,
    rollup_link_days.c.uniques,
    rollup_link_days.c.bots,
    rollup_link_days.c.widget_scans,
)

# Human scans per quarter-hour slot and client, all links together (the chart).
rollup_client_slots = Table(
    "rollup_client_slots",
    metadata,
    Column("slot", Integer, primary_key=True),
    Column("client", String(16), primary_key=True),
    Column("scans", Integer, nullable=False),
    sqlite_with_rowid=False,
)

# The zone whose days ``rollup_link_days`` holds; no row means "not built yet".
rollup_state = Table(
    "rollup_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("timezone", String(64), nullable=False),
)

# The prune horizon (migration 0007): raw scans before ``pruned_before`` (a
# whole UTC hour) were deleted by ``flask prune``, so the roll-ups before it
# are the only record and a rebuild leaves them alone. No row: never pruned.
retention_state = Table(
    "retention_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("pruned_before", DateTime, nullable=False),
)


# Rate-limit hits when no Redis is configured: one row per counted request,
# keyed by a hash (never a raw address), swept once it leaves its window
# (share/storage/ratelimits.py). Every worker and instance shares them.
rate_hits = Table(
    "rate_hits",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("key", String(200), nullable=False),
    Column("at", Float(precision=53), nullable=False),  # epoch seconds
    Column("expires", Float(precision=53), nullable=False),
)
Index("ix_rate_hits_key_at", rate_hits.c.key, rate_hits.c.at)
Index("ix_rate_hits_expires", rate_hits.c.expires)


# WeChat's access token and jsapi ticket (migration 0013), cached for every
# worker and instance, plus the lease that lets one process at a time refresh
# them (share/storage/wechat.py): a refresh can invalidate the token before it.
wechat_credentials = Table(
    "wechat_credentials",
    metadata,
    Column("name", String(160), primary_key=True),
    Column("value", Text, nullable=False),
    Column("expires", Float(precision=53), nullable=False),  # epoch seconds
)


# The site logo of ``?logo=1`` QR codes (migration 0012): at most one row
# (id 1), the normalised PNG and its hash, which every logo code's cache key
# and ETag carry. In the database, not on disk, because several app
# instances share only the database (share/storage/brand.py).
brand_logo = Table(
    "brand_logo",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("png", LargeBinary, nullable=False),
    Column("version", String(32), nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# The live view reads the last half hour of raw scans by time (migration 0015).
Index("ix_scans_ts", scans.c.ts)

# All links' scans of one placement (the overview's visits back per share target) are read
# by value, not by link (migration 0016): only the rows of those placements are touched.
Index(
    "ix_rollup_link_dims_value",
    rollup_link_dims.c.dim,
    rollup_link_dims.c.value,
    rollup_link_dims.c.hour,
)
