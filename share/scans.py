"""Scan redirects: look the code up, record one scan, say where to go.

:class:`Redirector` is the whole redirect path, free of Flask so that the lean
WSGI entry point and the Flask view share it. The redirect must not fail
because the write failed: a worker remembers the targets it has seen, and a
scan that cannot be stored is logged (without the visitor's address) and
counted in :attr:`Redirector.lost`.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from .storage import scans as store
from .visitor import Visitor

log = logging.getLogger("share.scans")


@dataclass(frozen=True, slots=True)
class Outcome:
    status: int  # 302, 404, 410, or 503 when the database cannot be reached
    location: str | None = None
    recorded: bool = False


class Redirector:
    def __init__(
        self,
        engine: Engine,
        secret: str | bytes,
        proxy_count: int = 0,
        remember: int = 10000,
        busy_timeout: float = 5.0,
    ):
        self.engine = engine
        self.store = store.ScanStore(engine, busy_timeout)
        self.secret = secret
        self.proxy_count = proxy_count
        self.remember = remember
        self.lost = 0
        self._targets: OrderedDict[str, tuple[int, str, bool]] = OrderedDict()
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
        now = now or datetime.now(UTC)
        visitor = Visitor.from_request(
            method=method,
            headers=headers,
            remote_addr=remote_addr,
            src=src,
            secret=self.secret,
            proxy_count=self.proxy_count,
            now=now,
        )
        row = {
            "ts": now.replace(tzinfo=None),
            "hour": int(now.timestamp() // 3600),
            "placement": visitor.placement,
            "client": visitor.client,
            "platform": visitor.platform,
            "is_bot": visitor.is_bot,
            "referrer_host": visitor.referrer_host,
            "user_agent": visitor.user_agent,
            "visitor": visitor.visitor_hash,
        }
        # A code's URL never changes, so a remembered one is reused; whether
        # the link is live is decided by the insert itself.
        with self._lock:
            target = self._targets.get(code)
        try:
            if target is None:
                target = self.store.lookup(code)
                if target is None:
                    return Outcome(404)
                self._remember(code, target)
            if self.store.record_if_live(code, row):
                if target[2]:
                    self._remember(code, (target[0], target[1], False))
                return Outcome(302, target[1], recorded=True)
            target = self.store.lookup(code)  # switched off (or gone) since
            if target is not None and not target[2] and self.store.record_if_live(code, row):
                self._remember(code, target)  # switched back on in between
                return Outcome(302, target[1], recorded=True)
        except Exception as exc:  # noqa: BLE001 - the reader must still be redirected
            return self._fallback(code, exc)
        if target is None:
            return Outcome(404)
        self._remember(code, target)
        return Outcome(410) if target[2] else Outcome(503)

    def _fallback(self, code: str, exc: Exception) -> Outcome:
        with self._lock:
            self.lost += 1
            target = self._targets.get(code)
        log.error(
            "scan of %s not recorded (%s: %s); lost scans in this worker: %d",
            code,
            type(exc).__name__,
            str(exc).splitlines()[0][:200],
            self.lost,
        )
        if target is None:
            return Outcome(503)
        return Outcome(410) if target[2] else Outcome(302, target[1])

    def _remember(self, code: str, target: tuple[int, str, bool]) -> None:
        with self._lock:
            self._targets[code] = target
            self._targets.move_to_end(code)
            if len(self._targets) > self.remember:
                self._targets.popitem(last=False)
