"""Whether a request counts as a person: the one rule (Shlink's ``RequestTracker`` idea).

Every surface that counts people asks here, so "is this a human scan?" has a
single answer: a ``HEAD`` request never is (link checkers and previews send
them), and neither is a user agent :mod:`.useragents` reads as a bot —
crawlers, link-preview fetchers, command-line HTTP clients and headless
browsers. Such requests are still recorded, apart, so editors can see them.
"""

from __future__ import annotations

from .useragents import UAInfo

#: Methods that fetch a resource without a person opening it.
NOT_A_VISIT = frozenset({"HEAD", "OPTIONS"})


def counts_as_human(method: str, agent: UAInfo) -> bool:
    """True when a request with this method and classified user agent is a person's visit."""
    return method.upper() not in NOT_A_VISIT and not agent.is_bot
