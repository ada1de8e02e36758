"""Registering many article URLs at once (dashboard paste box and ``flask import``).

Each line gets one verdict — created, existing or refused with the reason a
person can act on — so a list of a thousand URLs can be fixed and re-run:
re-running never creates duplicates (the URL is unique once normalised).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import Engine

from share.links import service as links
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
        if line and not line.startswith("#"):
            out.append((number, line))
    return out


def import_one(engine: Engine, number: int, url: str, on_created=None) -> Outcome:
    """Register one URL; never raises for bad input."""
    if len(url) > 2048:
        return Outcome(
            number, url[:100] + "…", "refused", reason="The URL is longer than 2048 characters."
        )
    try:
        link, created = links.create(engine, url, on_created=on_created)
    except (InvalidURL, links.LinkError) as exc:
        return Outcome(number, url, "refused", reason=str(exc))
    return Outcome(number, url, "created" if created else "existing", code=link.code)


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
