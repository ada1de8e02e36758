"""Scan redirects: record one scan, say where to go.

:class:`Redirector` is the whole redirect path, free of Flask, so the lean
WSGI entry point (``share/web/redirect.py``) and tests call the same code.
A code's URL never changes, so each worker remembers it after the first
lookup; whether the link is live is decided by the insert itself, inside the
write transaction. The redirect must not fail because the write failed: a
scan that cannot be stored is logged (without the visitor's address) and
counted in :attr:`Redirector.lost`, and a remembered link still redirects.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from share import clock
from share.scans import useragents
from share.scans.visitor import Visitor
from share.storage.scans import ScanStore

log = logging.getLogger("share.scans.redirect")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the redirect answers: a status, and where to go for a 302."""

    status: int  # 302, 404, 410, or 503 when the database cannot be reached
    location: str | None = None


class Target(NamedTuple):
    """A code's article URL and whether it was switched off, as last read."""

    link_id: int
    url: str
    disabled: bool


class Redirector:
    """The whole redirect path without Flask: classify, record, answer (see the module)."""

    def __init__(
        self,
        engine: Engine,
        secret: str | bytes,
        proxy_count: int = 0,
        remember: int = 10000,
        busy_timeout: float = 5.0,
        tz: ZoneInfo = clock.UTC_ZONE,
    ):
        useragents.warm_up()  # rules built now, not on a reader's first scan
        self.store = ScanStore(engine, busy_timeout)
        self.tz = tz  # the display zone: whose day salts the visitor hash
        self.secret = secret
        self.proxy_count = proxy_count
        self.remember = remember
        self.lost = 0
        self._targets: OrderedDict[str, Target] = OrderedDict()
        self._lock = threading.Lock()

    def scan(
        self,
        code: str,
        *,
        method: str,
        headers: Mapping[str, str],
        remote_addr: str | None,
        src: str | None,
        now: datetime | None = None,
    ) -> Outcome:
        """Record a scan of ``code`` and answer where the reader goes."""
        now = clock.utc(now) if now is not None else clock.now()
        visitor = Visitor.from_request(
            method=method,
            headers=headers,
            remote_addr=remote_addr,
            src=src,
            secret=self.secret,
            proxy_count=self.proxy_count,
            now=now,
            salt_zone=self.tz,
        )
        try:
            return self._record(code, visitor.scan_row(now))
        except Exception as exc:  # noqa: BLE001 - the reader must still be redirected
            return self._fallback(code, exc)

    def _record(self, code: str, row: dict) -> Outcome:
        target = self._recall(code) or self._lookup(code)
        if target is None:
            return Outcome(404)
        # Two tries: a link switched back on between a refused insert and the
        # lookup that explains it is recorded on the second.
        for _ in range(2):
            if self.store.record_if_live(code, row):
                self._keep(code, target._replace(disabled=False))
                return Outcome(302, target.url)
            target = self._lookup(code)  # switched off (or gone) since remembered
            if target is None:
                return Outcome(404)
            if target.disabled:
                return Outcome(410)
        return Outcome(503)

    def _lookup(self, code: str) -> Target | None:
        found = self.store.lookup(code)
        if found is None:
            return None
        target = Target(*found)
        self._keep(code, target)
        return target

    def _fallback(self, code: str, exc: Exception) -> Outcome:
        with self._lock:
            self.lost += 1
        target = self._recall(code)
        log.error(
            "scan of %s not recorded (%s: %s); lost scans in this worker: %d",
            code,
            type(exc).__name__,
            str(exc).splitlines()[0][:200],
            self.lost,
        )
        if target is None:
            return Outcome(503)
        return Outcome(410) if target.disabled else Outcome(302, target.url)

    def _recall(self, code: str) -> Target | None:
        with self._lock:
            return self._targets.get(code)

    def _keep(self, code: str, target: Target) -> None:
        with self._lock:
            self._targets[code] = target
            self._targets.move_to_end(code)
            if len(self._targets) > self.remember:
                self._targets.popitem(last=False)
