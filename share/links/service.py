"""Links: one short code per normalised article URL.

Plain Python (no Flask): the web layer and the CLI both call these functions
with an ``Engine``. Overrides set by an editor or API caller win over what
the article page said about itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from share import clock
from share.errors import InputError
from share.links import codes
from share.links import tags as taglib
from share.links import utm as utmlib
from share.links.urls import encodable, normalise_url
from share.storage import deletion
from share.storage import links as store
from share.storage import tags as tagstore

MAX_TITLE = 300
MAX_DESCRIPTION = 1000
EDITABLE = ("title", "description", "image", "disabled", "tags", "utm")


class LinkError(InputError):
    """A link field the caller must fix."""


@dataclass(frozen=True)
class Link:
    """A link as every surface shows it: overrides already applied over fetched metadata."""

    id: int
    code: str
    url: str
    title: str | None
    description: str | None
    image: str | None
    site_name: str | None
    lang: str | None
    fetch_error: str | None
    meta_version: int
    disabled: bool
    created_at: datetime
    tags: tuple[str, ...] = ()  # campaign tags as written, in display order
    utm: dict[str, str] | None = None  # the link's own UTM templates (share.links.utm)
    published_at: datetime | None = None  # the article's, stored naive UTC; cards only
    author: str | None = None  # the article's byline; cards only, not in the link JSON

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Link:
        """From a ``links`` row: each field is its override when one is set."""
        return cls(
            id=row["id"],
            code=row["code"],
            url=row["url"],
            title=_pick(row, "title"),
            description=_pick(row, "description"),
            image=_pick(row, "image"),
            site_name=row.get("site_name"),
            lang=row.get("lang"),
            fetch_error=row.get("fetch_error"),
            meta_version=row.get("meta_version") or 1,
            disabled=bool(row["disabled"]),
            created_at=row["created_at"],
            tags=tuple(row.get("tags") or ()),
            utm=utmlib.loads(row.get("utm")),
            published_at=row.get("published_at"),
            author=row.get("author"),
        )

    def to_json(self, public_url: str) -> dict[str, Any]:
        """The link JSON of the public contract; every URL absolute."""
        base = public_url.rstrip("/")
        return {
            "code": self.code,
            "url": self.url,
            "short_url": short_url(base, self.code),
            "qr_png": f"{base}/qr/{self.code}.png",
            "qr_svg": f"{base}/qr/{self.code}.svg",
            "card": f"{base}/card/{self.code}.jpg",
            "title": self.title,
            "description": self.description,
            "image": self.image,
            "site_name": self.site_name,
            "lang": self.lang,
            "created_at": clock.iso_utc(self.created_at),
            "disabled": self.disabled,
            "tags": list(self.tags),
            "utm": self.utm,
        }


def short_url(public_url: str, code: str, src: str | None = None) -> str:
    """The tracked short link every surface prints (API, QR, cards, widget, dashboard, CLI).

    ``src`` names the placement a scan of it will be counted under.
    """
    url = f"{public_url.rstrip('/')}/s/{code}"
    return f"{url}?src={src}" if src else url


def _pick(row: dict[str, Any], field: str) -> str | None:
    override = row.get(f"{field}_override")
    return override if override else row.get(field)


def get(engine: Engine, code: str) -> Link | None:
    """The live link of ``code``, or ``None``: unknown, deleted, or not a code at all."""
    if not codes.looks_like_code(code):
        return None
    row = store.get_by_code(engine, code)
    return _tagged(engine, row) if row and row["deleted_at"] is None else None


def was_deleted(engine: Engine, code: str) -> bool:
    """True when ``code`` belonged to a link that has been deleted (it answers 410 for good)."""
    if not codes.looks_like_code(code):
        return False
    row = store.get_by_code(engine, code)
    return row is not None and row["deleted_at"] is not None


def footprint(engine: Engine, link: Link) -> dict[str, int]:
    """What deleting ``link`` loses: ``{"scans", "bots", "opens", "shares"}`` of all time."""
    return deletion.footprint(engine, link.id)


def delete(engine: Engine, code: str, *, after: Callable[[int], Any] | None = None) -> bool:
    """Delete the live link ``code``: its scans, opens and roll-ups, in one transaction.

    Its code answers 410 from then on and is never drawn again; the same URL
    shared again gets a new code. ``after(link_id)`` runs once the deletion is
    committed (the card files on disk). False when no live link has the code
    (never had one, or another request deleted it first).
    """
    if not codes.looks_like_code(code):
        return False
    link_id = deletion.delete_link(engine, code, clock.stored_now())
    if link_id is None:
        return False
    if after is not None:
        after(link_id)
    return True


def find_by_url(engine: Engine, url: str) -> Link | None:
    """The link registered for ``url`` once normalised; ``InvalidURL`` for a bad URL."""
    row = store.get_by_url(engine, normalise_url(url))
    return _tagged(engine, row) if row else None


MetadataHook = Callable[[Engine, Link], Link]


def create(
    engine: Engine,
    url: str,
    *,
    title: str | None = None,
    description: str | None = None,
    image: str | None = None,
    on_created: MetadataHook | None = None,
    tags: Any = None,
    code: Any = None,
    utm: Any = None,
    reserved: Iterable[str] = (),
) -> tuple[Link, bool]:
    """Register ``url`` (normalised); return ``(link, created)``.

    An existing link for the same normalised URL is returned unchanged.
    A vanity ``code`` (:func:`codes.check_vanity`; ``reserved`` adds the app's
    routed words) must be free, deleted links' codes included (409
    ``code_taken``), and for a URL already registered must be its code (409
    ``url_registered``). ``utm`` is the link's own UTM object (:mod:`.utm`).
    ``on_created`` runs once for a new link (the metadata fetch) and may
    return an updated link; its failure never undoes the registration.
    """
    url = normalise_url(url)
    overrides = _clean_overrides({"title": title, "description": description, "image": image})
    new_tags = taglib.clean_tags(tags)  # checked before anything is stored
    vanity = codes.check_vanity(code, reserved) if code is not None else None
    link_utm = utmlib.dumps(utmlib.clean_link(utm))
    now = clock.stored_now()
    for _ in range(8):
        values = {
            "code": vanity or codes.new_code(),
            "utm": link_utm,
            "url": url,
            "created_at": now,
            "updated_at": now,
            "meta_version": 1,
            "disabled": False,
            **{f"{k}_override": v for k, v in overrides.items()},
        }
        try:
            row, created = store.insert(engine, values)
            break
        except store.DuplicateCode:
            if vanity:  # taken by another link, live or deleted: never drawn again
                raise codes.CodeTaken(
                    "code_taken", f"The code {vanity!r} is taken; choose another."
                ) from None
            continue
    else:  # pragma: no cover - 8 collisions in a 1.7e12 space
        raise RuntimeError("could not draw a free code")
    if vanity and not created and row["code"] != vanity:
        raise codes.CodeTaken(
            "url_registered",
            f"This URL is already registered with the code {row['code']!r}; a link keeps "
            "the code it was given, so ask for that one or none.",
        )
    if created and new_tags:  # an existing link keeps its tags, as it keeps its overrides
        tagstore.replace(engine, row["id"], new_tags)
    link = _tagged(engine, row)
    if created and on_created is not None:
        link = on_created(engine, link)
    return link, created


def update(engine: Engine, code: str, changes: dict[str, Any]) -> Link | None:
    """Apply a PATCH: overrides for title/description/image, and ``disabled``."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise LinkError(
            "unknown_field",
            f"These fields cannot be changed: {', '.join(sorted(unknown))}; "
            f"use {', '.join(EDITABLE)}.",
        )
    new_tags = taglib.clean_tags(changes["tags"]) if "tags" in changes else None
    values: dict[str, Any] = {"updated_at": clock.stored_now()}
    if "utm" in changes:
        values["utm"] = utmlib.dumps(utmlib.clean_link(changes["utm"]))
    if "disabled" in changes:
        if not isinstance(changes["disabled"], bool):
            raise LinkError("invalid_field", "`disabled` must be true or false.")
        values["disabled"] = changes["disabled"]
    meta = {k: changes[k] for k in ("title", "description", "image") if k in changes}
    for key, value in _clean_overrides(meta, keep_empty=True).items():
        values[f"{key}_override"] = value
    row = store.update_by_code(engine, code, values, bump_meta=bool(meta))
    if row and new_tags is not None and not tagstore.replace(engine, row["id"], new_tags):
        return None  # deleted between the two writes
    return _tagged(engine, row) if row else None


def _clean_overrides(values: dict[str, Any], keep_empty: bool = False) -> dict[str, Any]:
    """Validate override fields; ``None``/"" clears an override when ``keep_empty``."""
    out: dict[str, Any] = {}
    limits = {"title": MAX_TITLE, "description": MAX_DESCRIPTION, "image": 2048}
    for key, value in values.items():
        if value is None or value == "":
            if keep_empty:
                out[key] = None
            continue
        if not isinstance(value, str):
            raise LinkError("invalid_field", f"`{key}` must be a string.")
        if "\x00" in value or not encodable(value):
            # PostgreSQL refuses NUL; a lone surrogate cannot be stored as UTF-8 anywhere
            raise LinkError(
                "invalid_field", f"`{key}` contains a NUL or a broken character; remove it."
            )
        value = " ".join(value.split())
        if len(value) > limits[key]:
            raise LinkError("invalid_field", f"`{key}` is longer than {limits[key]} characters.")
        if key == "image":
            try:
                value = normalise_url(value)
            except ValueError as exc:
                raise LinkError("invalid_field", f"`image` is not usable: {exc}") from exc
        out[key] = value
    return out


def apply_metadata(engine: Engine, code: str, meta: Any) -> Link | None:
    """Store what the article page said (an ``ArticleMeta``); overrides keep winning.

    A failed fetch records its reason and keeps earlier fetched values, so a
    refresh during an outage does not blank a card that was fine.
    """
    values: dict[str, Any] = {"fetched_at": clock.stored_now(), "fetch_error": meta.fetch_error}
    if not meta.fetch_error:
        for key in ("title", "description", "image", "site_name", "lang", "canonical_url"):
            values[key] = getattr(meta, key)
        published = getattr(meta, "published_at", None)
        values["published_at"] = clock.to_storage(published) if published else None
        values["author"] = getattr(meta, "author", None)
    row = store.update_by_code(engine, code, values, bump_meta=not meta.fetch_error)
    return _tagged(engine, row) if row else None


def page(
    engine: Engine, limit: int, cursor: tuple[datetime, int] | None, tag: str | None = None
) -> list[Link]:
    """Newest first, after ``cursor`` (created_at, id): stable paging while links are added.

    ``tag`` keeps the links carrying it (compared as :mod:`share.links.tags` says).
    """
    key = taglib.clean_tag(tag, "`tag`")[0] if tag is not None else None
    rows = store.page(engine, limit, cursor, key)
    found = tagstore.tags_for(engine, [r["id"] for r in rows])
    return [Link.from_row({**r, "tags": found.get(r["id"], [])}) for r in rows]


def _tagged(engine: Engine, row: dict[str, Any]) -> Link:
    """The link of ``row`` with its tags read from ``link_tags``."""
    return Link.from_row({**row, "tags": tagstore.tags_of(engine, row["id"])})
