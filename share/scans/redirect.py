"""Scan redirects: record one scan, say where to go.

:class:`Redirector` is the whole redirect path, free of Flask, so the lean
WSGI entry point (``share/web/redirect.py``) and tests call the same code.

- **Where to go** comes from a per-worker memory of each code's URL and
  whether it is live, read again from the database when older than
  :data:`FRESH_FOR` seconds — so a link switched off answers 410 within a
  second on every worker and instance — and used as it is while the
  database cannot answer.
- **The scan** is one line appended to the spool (:mod:`.spool`); the
  ingester (:mod:`.ingest`) moves it into the database within about a
  second. When the spool cannot be written (disk full, read-only) or is
  switched off, the scan and its roll-ups are written to the database
  directly, in one transaction that checks the link is still live.
- The redirect never fails because recording failed: a scan that can be
  stored nowhere is logged (without the visitor's address) and counted in
  :attr:`Redirector.lost`, and the reader still goes to the article.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from share import clock
from share.links import utm
from share.scans import useragents
from share.scans.ingest import Backlog, DatabaseSink, Ingester, IngestThread
from share.scans.spool import Spool, encode
from share.scans.visitor import Visitor
from share.storage import ingest as store
from share.storage.codes import CodeLookup
from share.storage.tags import first_tag

log = logging.getLogger("share.scans.redirect")

#: Seconds a remembered code's URL and liveness are used without asking the database.
FRESH_FOR = 0.9


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the redirect answers: a status, and where to go for a 302."""

    status: int  # 302, 404, 410, or 503 when the database cannot be reached
    location: str | None = None


class Target(NamedTuple):
    """A code's article URL and whether it was switched off, as last read.

    ``plan`` holds the URL with its UTM tags prepared when the link was read, so
    a scan only fills in its placement and client (``None``: UTM off for it).
    """

    link_id: int
    url: str
    disabled: bool
    plan: utm.Plan | None = None

    def location(self, placement: str, client: str) -> str:
        """The 302's ``Location`` for a scan from ``placement`` in ``client``."""
        return self.url if self.plan is None else self.plan.location(placement, client)


class Redirector:
    """The whole redirect path without Flask: classify, record, answer (see the module)."""

    def __init__(
        self,
        engine: Engine,
        secret: str | bytes,
        proxy_count: int = 0,
        remember: int = 10000,
        tz: ZoneInfo = clock.UTC_ZONE,
        spool: Spool | None = None,
        utm_default: utm.Params | None = None,
        tag_of: Callable[[int], str] | None = None,
    ):
        useragents.warm_up()  # rules built now, not on a reader's first scan
        self.engine = engine
        self.codes = CodeLookup(engine)
        self.tz = tz  # the display zone: whose day salts the visitor hash and files roll-ups
        self.days = clock.SlotDays(tz)
        self.secret = secret
        self.proxy_count = proxy_count
        self.remember = remember
        self.lost = 0
        self.spool = spool
        self.utm_default = utm_default  # SHARE_UTM, parsed; None: off
        # a link's first tag for {tag}, read only when a template uses it
        self.tag_of = tag_of or self._first_tag
        self.ingester = (
            Ingester(spool, DatabaseSink(engine, self.days)) if spool is not None else None
        )
        self._ingesting: tuple[int, IngestThread] | None = None
        self._spool_broken = False
        self._targets: OrderedDict[str, tuple[Target, float]] = OrderedDict()
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
        if self.spool is not None:
            try:
                target = self._target(code)
            except Exception as exc:  # noqa: BLE001 - unknown to this worker, database down
                return self._fallback(code, exc, visitor)
            if target is None:
                return Outcome(404)
            if target.disabled:
                return Outcome(410)
            if self._spooled(target, visitor, now):
                return Outcome(302, target.location(visitor.placement, visitor.client))
        try:
            return self._record(code, visitor.scan_row(now))
        except Exception as exc:  # noqa: BLE001 - the reader must still be redirected
            return self._fallback(code, exc, visitor)

    # -- the spool path ----------------------------------------------------------

    def _spooled(self, target: Target, visitor: Visitor, now: datetime) -> bool:
        record = {**visitor.columns(), "link_id": target.link_id, "ts_us": clock.epoch_micros(now)}
        try:
            self.spool.append(encode(record))
        except OSError as exc:
            if not self._spool_broken:
                log.error("scan spool unwritable (%s); writing scans directly", exc)
            self._spool_broken = True
            return False
        if self._spool_broken:
            log.warning("scan spool writable again")
            self._spool_broken = False
        self._ensure_ingesting()
        return True

    def _ensure_ingesting(self) -> None:
        """One ingest thread per process, started with its first spooled scan (or after fork)."""
        running = self._ingesting
        if running is not None and running[0] == os.getpid():
            return
        with self._lock:
            if self._ingesting is None or self._ingesting[0] != os.getpid():
                thread = IngestThread(self.ingester)
                thread.start()
                self._ingesting = (os.getpid(), thread)
                atexit.register(self._drain)

    def _drain(self) -> None:
        """At a graceful exit, hand what this worker spooled to the database if it can."""
        try:
            self.flush(timeout=3.0)
        except Exception as exc:  # noqa: BLE001 - left in the spool for the next ingester
            log.warning("spooled scans left for the next ingester (%s)", type(exc).__name__)

    def _target(self, code: str) -> Target | None:
        """The code's target, from memory when fresh; stale memory beats a database error."""
        with self._lock:
            remembered = self._targets.get(code)
        if remembered is not None and time.monotonic() - remembered[1] < FRESH_FOR:
            return remembered[0]
        try:
            return self._lookup(code)
        except Exception:
            if remembered is not None:
                self._keep(code, remembered[0])  # ask again in FRESH_FOR, not on every scan
                return remembered[0]
            raise

    def flush(self, timeout: float = 10.0) -> int:
        """Ingest what is spooled now (readers that must count the latest scans); 0 if no spool."""
        return self.ingester.flush(timeout) if self.ingester is not None else 0

    def backlog(self) -> Backlog | None:
        """What waits in the spool, or ``None`` without one."""
        return self.ingester.backlog() if self.ingester is not None else None

    def close(self) -> None:
        """Stop this process's ingest thread and close the spool file and connections."""
        running, self._ingesting = self._ingesting, None
        if running is not None and running[0] == os.getpid():
            running[1].stop()
            atexit.unregister(self._drain)
        if self.spool is not None:
            self.spool.close()
        self.codes.close()

    # -- the direct path ---------------------------------------------------------

    def _record(self, code: str, row: dict) -> Outcome:
        target = self._recall(code) or self._lookup(code)
        if target is None:
            return Outcome(404)
        # Two tries: a link switched back on between a refused insert and the
        # lookup that explains it is recorded on the second.
        for _ in range(2):
            if store.record_direct(self.engine, code, row, self.days):
                self._keep(code, target._replace(disabled=False))
                return Outcome(302, target.location(row["placement"], row["client"]))
            target = self._lookup(code)  # switched off (or gone) since remembered
            if target is None:
                return Outcome(404)
            if target.disabled:
                return Outcome(410)
        return Outcome(503)

    def _lookup(self, code: str) -> Target | None:
        found = self.codes.lookup(code)
        if found is None:
            with self._lock:
                self._targets.pop(code, None)
            return None
        link_id, url, disabled, stored_utm = found
        plan = utm.for_link(url, code, link_id, self.utm_default, stored_utm, self.tag_of)
        target = Target(link_id, url, disabled, plan)
        self._keep(code, target)
        return target

    def _first_tag(self, link_id: int) -> str:
        return first_tag(self.engine, link_id) or ""

    def _fallback(self, code: str, exc: Exception, visitor: Visitor) -> Outcome:
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
        if target.disabled:
            return Outcome(410)
        return Outcome(302, target.location(visitor.placement, visitor.client))

    def _recall(self, code: str) -> Target | None:
        with self._lock:
            remembered = self._targets.get(code)
        return remembered[0] if remembered is not None else None

    def _keep(self, code: str, target: Target) -> None:
        with self._lock:
            self._targets[code] = (target, time.monotonic())
            self._targets.move_to_end(code)
            if len(self._targets) > self.remember:
                self._targets.popitem(last=False)
