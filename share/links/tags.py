"""Campaign tags on links: the rules a tag must follow and how two tags are the same.

A tag is 1-32 characters once trimmed (runs of spaces become one): letters
of any script (Chinese included, with their combining marks), decimal
digits, spaces, ``-``, ``_`` and ``.``. No commas (the CSV import separates
tags with ``|`` or ``;`` and people write lists with commas) and no control
characters. Two tags are the same when their keys are: NFKC, casefolded,
NFKC again (Unicode's NFKC_Casefold), so ``News``, ``NEWS`` and full-width
``ＮＥＷＳ`` are one tag, shown as first written. A link has at most 10.
Plain Python: the API, the importer and the dashboard share these rules.
"""

from __future__ import annotations

import unicodedata

from share.errors import InputError

MAX_TAGS = 10
MAX_LENGTH = 32
MAX_KEY_LENGTH = 128  # the column's width; NFKC can lengthen a tag (``㍻`` is one of few)
_PUNCTUATION = frozenset(" -_.")


class TagError(InputError):
    """A tag or list of tags the caller must fix (400 ``invalid_tags``)."""

    def __init__(self, message: str):
        super().__init__("invalid_tags", message)


def key_of(tag: str) -> str:
    """The comparison key of an already-checked tag (NFKC_Casefold)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", tag).casefold())


def _allowed(char: str) -> bool:
    category = unicodedata.category(char)
    return char in _PUNCTUATION or category[0] in "LM" or category == "Nd"


def clean_tag(raw: object, where: str = "The tag") -> tuple[str, str]:
    """``(key, shown)`` for one tag, or :class:`TagError` naming what is wrong with it."""
    if not isinstance(raw, str):
        raise TagError(f"{where} must be a string.")
    shown = " ".join(part for part in raw.strip().split(" ") if part)
    if not shown:
        raise TagError(f"{where} is empty; a tag has 1 to {MAX_LENGTH} characters.")
    if len(shown) > MAX_LENGTH:
        raise TagError(f"{where} {shown[:40]!r} is longer than {MAX_LENGTH} characters.")
    bad = next((c for c in shown if not _allowed(c)), None)
    if bad is not None:
        what = "a comma" if bad in ",，、" else f"the character {bad!r} (U+{ord(bad):04X})"
        raise TagError(
            f"{where} {shown!r} contains {what}; tags hold letters, digits, spaces, "
            "'-', '_' and '.' only."
        )
    key = key_of(shown)
    if len(key) > MAX_KEY_LENGTH:
        raise TagError(f"{where} {shown!r} is too long once normalised.")
    return key, shown


def clean_tags(raw: object) -> list[tuple[str, str]]:
    """A link's tags as ``[(key, shown)]``: checked, duplicates (by key) collapsed, first kept.

    ``None`` is no tags. Anything but a list of strings, a bad tag or more
    than :data:`MAX_TAGS` different tags is a :class:`TagError`.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise TagError('`tags` must be an array of strings, such as ["spring", "春节"].')
    seen: dict[str, str] = {}
    for index, item in enumerate(raw):
        key, shown = clean_tag(item, f"Tag {index + 1}")
        seen.setdefault(key, shown)
    if len(seen) > MAX_TAGS:
        raise TagError(f"A link has at most {MAX_TAGS} tags; {len(seen)} were given.")
    return list(seen.items())


def split_field(text: str) -> list[str]:
    """The tags of one CSV cell: separated by ``|`` or ``;``, blanks skipped."""
    return [part for part in text.replace(";", "|").split("|") if part.strip()]


def ordered(tags: list[str]) -> list[str]:
    """Tags in the order every surface shows them: by key, then as written."""
    return sorted(tags, key=lambda tag: (key_of(tag), tag))
