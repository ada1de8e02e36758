"""Counting share clicks, and remembering which link an article URL has.

A share is counted per link, target and quarter-hour slot (see
:mod:`share.clock`), and nothing else is kept: no cookie, no address, no
user agent — the same rule as widget opens, so shares fall into exactly the
instants scans and opens are counted over, in any zone. Counts are summed
in the worker (:class:`Tally`) and stored every :data:`FLUSH_EVERY` seconds,
so a share costs the reader no database write (bench/bench_sharehop.py).

:class:`LinkMemory` spares the hop a database read per click: each worker
remembers an article URL's link for :data:`FRESH_FOR` seconds, so a link
switched off is honoured within a second (and its pending counts are
refused when stored, :func:`share.storage.shares.add`).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import Counter, OrderedDict
from datetime import datetime

from sqlalchemy import Engine

from share import clock
from share.links import service as links
from share.storage import shares as store

log = logging.getLogger("share.sharing.clicks")

#: Seconds a remembered URL → link answer is used without asking the database.
FRESH_FOR = 0.9
#: Seconds between two stores of a worker's pending shares.
FLUSH_EVERY = 0.5


def record_share(engine: Engine, link_id: int, target: str, now: datetime | None = None) -> None:
    """Count one share of ``link_id`` to ``target`` now (stored within :data:`FLUSH_EVERY` s)."""
    moment = clock.now() if now is None else now
    tally_for(engine).add(link_id, target, clock.slot_of(clock.epoch_seconds(moment)))


def shares_in(engine: Engine, link_id: int | None, buckets: clock.Buckets) -> dict[str, int]:
    """Shares per target (only those above zero) over the instants ``buckets`` cover.

    One link's, or all links' (``None``). This process's pending shares are
    stored first, so a reader sees every share it answered.
    """
    flush(engine)
    counts = store.by_target(engine, link_id, buckets.first_slot(), buckets.end_slot())
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def shares_since(engine: Engine, first_slot: int | None) -> dict[str, int]:
    """All links' shares per target from ``first_slot`` on (``None``: ever), pending ones first."""
    flush(engine)
    return store.by_target(engine, None, first_slot)


def close(engine: Engine) -> None:
    """Store ``engine``'s pending shares and stop its flusher (an app shutting down, tests)."""
    tally = _tallies.pop(engine, None)
    _memories.pop(engine, None)
    if tally is not None:
        tally.closed = True
        tally.flush()


def flush(engine: Engine) -> None:
    """Store this process's pending shares for ``engine`` now (readers, tests, exit)."""
    tally = _tallies.get(engine)
    if tally is not None:
        tally.flush()


class Tally:
    """A worker's pending share counts, stored in one transaction every :data:`FLUSH_EVERY` s.

    A hop only adds one to a dictionary (no database write on the reader's
    path); a thread started with the first share of each process stores
    what has piled up, as sums per (link, target, slot). Counts that cannot
    be stored now (database down) wait for the next try; a graceful exit
    stores what is left. The store refuses counts of links switched off or
    deleted meanwhile.
    """

    def __init__(self, engine: Engine):
        # weakly: the registry below is keyed by the engine, and an app's end must free both
        self._engine = weakref.ref(engine)
        self._pending: Counter[tuple[int, str, int]] = Counter()
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._thread_pid: int | None = None
        self.closed = False  # set by close(): the flusher thread stops

    def add(self, link_id: int, target: str, slot: int) -> None:
        """One more share, stored by the next flush."""
        with self._lock:
            self._pending[link_id, target, slot] += 1
        if self._thread_pid != os.getpid():
            self._start()

    def flush(self) -> int:
        """Store what is pending now; the shares stored (0 when nothing or the store failed)."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, Counter()
            engine = self._engine()
            if not batch or engine is None:
                return 0
            try:
                return store.add(engine, dict(batch))
            except Exception as exc:  # noqa: BLE001 - kept for the next try, never lost here
                with self._lock:
                    self._pending.update(batch)
                first_line = str(exc).splitlines()[0][:200] if str(exc) else ""
                log.warning("shares kept for the next try (%s: %s)", type(exc).__name__, first_line)
                return 0

    def _start(self) -> None:
        with self._lock:
            if self._thread_pid == os.getpid():
                return
            self._thread_pid = os.getpid()  # after a fork, each worker starts its own
        me = weakref.ref(self)
        threading.Thread(target=_keep_flushing, args=(me,), name="share-tally", daemon=True).start()
        atexit.register(_flush_at_exit, me)


def _keep_flushing(tally: weakref.ref[Tally]) -> None:
    """The flusher: store pending shares every :data:`FLUSH_EVERY` s while the tally lives."""
    while True:
        time.sleep(FLUSH_EVERY)
        alive = tally()
        if alive is None or alive.closed:
            return
        alive.flush()
        del alive


def _flush_at_exit(tally: weakref.ref[Tally]) -> None:
    """At a graceful exit, store what this worker still holds."""
    alive = tally()
    if alive is not None:
        alive.flush()


_tallies: weakref.WeakKeyDictionary[Engine, Tally] = weakref.WeakKeyDictionary()
_tallies_lock = threading.Lock()


def tally_for(engine: Engine) -> Tally:
    """The process's one :class:`Tally` for ``engine``."""
    tally = _tallies.get(engine)
    if tally is None:
        with _tallies_lock:
            tally = _tallies.get(engine)
            if tally is None:
                tally = _tallies[engine] = Tally(engine)
    return tally


class LinkMemory:
    """A worker's bounded memory of ``normalised URL → Link``, fresh for :data:`FRESH_FOR` s."""

    def __init__(self, engine: Engine, size: int = 10000):
        self._engine = weakref.ref(engine)  # weakly, as the tally's
        self.size = size
        self._known: OrderedDict[str, tuple[links.Link, float]] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, url: str) -> links.Link | None:
        """The link registered for the normalised ``url``, from memory when fresh."""
        with self._lock:
            known = self._known.get(url)
        if known is not None and time.monotonic() - known[1] < FRESH_FOR:
            return known[0]
        link = links.find_by_url(self._engine(), url)
        if link is None:
            self.forget(url)
        else:
            self.keep(url, link)
        return link

    def keep(self, url: str, link: links.Link) -> None:
        """Remember ``link`` as ``url``'s (just registered, or just read)."""
        with self._lock:
            self._known[url] = (link, time.monotonic())
            self._known.move_to_end(url)
            if len(self._known) > self.size:
                self._known.popitem(last=False)

    def forget(self, url: str) -> None:
        """Ask the database next time."""
        with self._lock:
            self._known.pop(url, None)


_memories: weakref.WeakKeyDictionary[Engine, LinkMemory] = weakref.WeakKeyDictionary()


def memory_for(engine: Engine) -> LinkMemory:
    """The process's one :class:`LinkMemory` for ``engine``."""
    memory = _memories.get(engine)
    if memory is None:
        with _tallies_lock:
            memory = _memories.setdefault(engine, LinkMemory(engine))
    return memory
