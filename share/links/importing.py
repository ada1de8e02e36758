"""Registering many article URLs at once (dashboard paste box and ``flask import``).

Each line gets one verdict — created, existing or refused with the reason a
person can act on — so a list of a thousand URLs can be fixed and re-run:
re-running never creates duplicates (the URL is unique once normalised).

A line is a URL, or a CSV row ``url,tags`` whose second column holds campaign
tags separated by ``|`` or ``;`` (``https://a.example/1,spring|春节``). A URL
that contains a comma must then be quoted as CSV quotes (``"…,…"``); a header
row ``url,tags`` is skipped. Tags go on new links only: an existing link
keeps its own (as it keeps its overrides), so a re-run changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import Engine

from share.links import service as links
from share.links.tags import TagError, split_field
from share.links.urls import InvalidURL

MAX_LINES = 1000


@dataclass(frozen=True)
class Outcome:
    """One input line's verdict: ``code`` when created or existing, ``reason`` when refused."""

    line: int
    url: str
    status: str  # created | existing | refused
    code: str | None = None
    reason: str | None = None

    def to_json(self) -> dict:
        """Every field, as the dashboard's chunked import (``import.json``) answers it."""
        return asdict(self)


def parse_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, url)`` for each non-blank line that is not a ``#`` comment."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("#") and line.lower().replace(" ", "") != "url,tags":
            out.append((number, line))
    return out


def import_one(engine: Engine, number: int, url: str, on_created=None) -> Outcome:
    """Register one line's URL (with its tags column, if any); never raises for bad input."""
    try:
        url, tags = split_row(url)
    except ValueError as exc:
        return Outcome(number, url[:100], "refused", reason=str(exc))
    if len(url) > 2048:
        return Outcome(
            number, url[:100] + "…", "refused", reason="The URL is longer than 2048 characters."
        )
    try:
        link, created = links.create(engine, url, on_created=on_created, tags=tags)
    except (InvalidURL, links.LinkError, TagError) as exc:
        return Outcome(number, url, "refused", reason=str(exc))
    return Outcome(number, url, "created" if created else "existing", code=link.code)


def split_row(line: str) -> tuple[str, list[str]]:
    """``(url, tags)`` of one line; ValueError with a sentence when it is not one or two columns."""
    if "," not in line and '"' not in line:
        return line, []
    try:
        fields = next(csv.reader([line], strict=True))
    except csv.Error:
        raise ValueError("The line is not a valid CSV row; check its quotes.") from None
    if len(fields) > 2:
        raise ValueError(
            "A line holds a URL and at most one tags column (tags separated by | or ;); "
            'quote a URL that contains commas: "https://…,…".'
        )
    return fields[0].strip(), split_field(fields[1]) if len(fields) == 2 else []


def import_lines(
    engine: Engine,
    lines: Iterable[tuple[int, str]],
    on_created=None,
    progress: Callable[[Outcome], None] | None = None,
) -> Iterator[Outcome]:
    """Import each ``(number, url)``, reporting every outcome to ``progress``."""
    for number, url in lines:
        outcome = import_one(engine, number, url, on_created)
        if progress:
            progress(outcome)
        yield outcome


def summary(outcomes: Iterable[Outcome]) -> dict[str, int]:
    """How many lines were created, existing or refused; all three keys, zeros included."""
    counts = {"created": 0, "existing": 0, "refused": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
