"""Who may try a dashboard password now: counted before the password is checked.

Three counters, each a moving window in the shared limiter storage (the
database, or Redis when configured), so every worker and instance sees the
same count:

- per **account and client** pair — the tight one (5 per 15 minutes by
  default): a stranger guessing an editor's password is stopped here, and
  only that stranger's client waits;
- per **client** — all user names from one address, so one client cannot
  spray guesses across accounts;
- per **account** from every client without a device cookie — a much higher
  ceiling against guesses from many addresses.

A browser that has logged in to the account before carries a signed device
cookie (OWASP's "device cookies"); its attempts are counted per device only,
so a stranger who exhausts the other counters cannot lock the editor out of
their usual browser. Every attempt is counted *before* the password is
checked, so parallel attempts on several workers cannot slip past a limit;
a successful login clears the pair's and the device's failures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.strategies import RateLimiter

from share import clock


@dataclass(frozen=True)
class LoginLimits:
    """The three limits (as ``limits`` items), parsed from the settings once per app."""

    pair: RateLimitItem
    client: RateLimitItem
    account: RateLimitItem

    @classmethod
    def from_settings(cls, pair: str, client: str, account: str) -> LoginLimits:
        """From the settings' strings (already checked at start-up)."""
        return cls(pair=parse(pair), client=parse(client), account=parse(account))


def account_name(username: str) -> str:
    """User names compare case-insensitively: ``Editor`` and ``editor`` share counters."""
    return username.strip().lower()[:64]


@dataclass(frozen=True)
class Attempt:
    """One login attempt: whose account, from which client, on which trusted device (if any)."""

    username: str
    client: str  # a keyed hash of the client address, never the address
    device: str | None = None

    @property
    def account(self) -> str:
        """The user name as counters key it."""
        return account_name(self.username)


class LoginThrottle:
    """Counts login attempts in ``strategy``'s storage under ``prefix`` (see the module)."""

    def __init__(self, strategy: RateLimiter, limits: LoginLimits, prefix: str = ""):
        self.strategy = strategy
        self.limits = limits
        self.prefix = prefix

    def _counters(self, attempt: Attempt) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        if attempt.device is not None:
            return [(self.limits.pair, (self.prefix, "login-device", attempt.device))]
        return [
            (self.limits.client, (self.prefix, "login-client", attempt.client)),
            (self.limits.pair, (self.prefix, "login-pair", attempt.account, attempt.client)),
            (self.limits.account, (self.prefix, "login-account", attempt.account)),
        ]

    def admit(self, attempt: Attempt) -> float | None:
        """Count the attempt; ``None`` when the password may be checked, else seconds to wait."""
        for item, ids in self._counters(attempt):
            if not self.strategy.hit(item, *ids):
                reset = self.strategy.get_window_stats(item, *ids).reset_time
                return max(1.0, math.ceil(reset - clock.epoch_now()))
        return None

    def succeeded(self, attempt: Attempt) -> None:
        """Forget the failures a right password ends (the pair's, or the device's)."""
        for item, ids in self._counters(attempt):
            if ids[1] in ("login-pair", "login-device"):
                self.strategy.clear(item, *ids)
