"""Moving spooled scans into the database: exactly once, in batches, one ingester at a time.

:meth:`Ingester.run_once` takes the spool folder's ingest lock (a ``flock``,
so a worker killed mid-batch hands it on), reads every file from its stored
position up to its last complete line, and hands the batch (all files
together, up to :data:`BATCH_BYTES`) with the positions just past it to a
:class:`ScanSink`; :class:`DatabaseSink` stores rows, roll-ups and
positions in one transaction. One transaction per run, not per file, and
runs spaced by an interval rather than back to back: a transaction's fixed
cost is most of the CPU when batches are small. A batch
that fails (database down, locked, slow) is simply tried again later from
the same position: the scans wait in the spool.

Every worker runs an :class:`IngestThread` that tries the lock a few times a
second, so scans reach the database within about a second and another
worker takes over when the ingesting one dies. :meth:`Ingester.flush` is the
same work done now, for readers that want their own scans counted at once.
The sink is the one interface a producer to a broker (Kafka, Redpanda,
NATS JetStream) feeding a column store would implement instead.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from share import clock
from share.storage import ingest as store
from share.storage import rollups, scanrows

from .spool import FIELDS, Spool, decode, decode_values

if FIELDS != scanrows.FIELDS:  # the spool's lines are handed to storage as they are
    raise ImportError("share.scans.spool.FIELDS and share.storage.scanrows.FIELDS differ")

log = logging.getLogger("share.scans.ingest")
BATCH_BYTES = 4 * 1024 * 1024  # about 13,000 scans: one transaction each
LINE_ROOM = 64 * 1024  # read at least this much of a file, so a whole line always fits


@dataclass(frozen=True)
class Backlog:
    """What waits in the spool: records (estimated past a few MB) and the oldest one's age."""

    records: int
    bytes: int
    oldest_age: float | None
    estimated: bool


class ScanSink(Protocol):
    """Where ingested scans go: the one seam a broker producer would replace (decision 0008).

    ``store`` must keep the rows and the spool position past them together
    (both or neither), so a crash never loses or doubles a scan.
    """

    def positions(self, spool_id: str) -> dict[str, int]:
        """``{spool file name: offset ingested up to}``."""

    def store(self, spool_id: str, moves: list[tuple[str, int, int]], values: list) -> int | None:
        """Keep the scans and move each ``(file, start, end)`` position to ``end``, atomically.

        ``values`` are the scans' values in the spool's order
        (:data:`~share.scans.spool.FIELDS`). Returns the rows kept, or
        ``None`` (nothing written) when a stored position is no longer its
        ``start``: someone else stored that batch.
        """

    def forget(self, spool_id: str, file: str) -> None:
        """Drop the position of a spool file that has been deleted."""


class DatabaseSink:
    """Scans into the database: raw rows, their roll-ups and the position, in one transaction."""

    def __init__(self, engine: Engine, days: clock.SlotDays):
        self.engine = engine
        self.days = days  # the display zone, whose local days the roll-ups file scans under

    def positions(self, spool_id: str) -> dict[str, int]:
        """See :class:`ScanSink`."""
        return store.positions(self.engine, spool_id)

    def store(self, spool_id: str, moves: list[tuple[str, int, int]], values: list) -> int | None:
        """See :class:`ScanSink`."""
        return store.ingest_batch(self.engine, spool_id, moves, values, self.days)

    def forget(self, spool_id: str, file: str) -> None:
        """See :class:`ScanSink`."""
        store.forget(self.engine, spool_id, file)


class Ingester:
    """Read a spool's files from their positions into a :class:`ScanSink`."""

    def __init__(self, spool: Spool, sink: ScanSink):
        self.spool = spool
        self.sink = sink
        self.ingested = 0
        self.skipped = 0  # torn lines (a short write when the disk was full)
        self._kept = None  # the lock, while this is the dedicated ingester
        self._running = threading.Lock()
        self._known: dict[str, int] = {}

    def _positions(self) -> dict[str, int]:
        self._known = self.sink.positions(self.spool.spool_id)
        return self._known

    def run_once(self, timeout: float | None = 0.0) -> int | None:
        """Ingest everything complete in the spool now; ``None`` when another holds the lock."""
        if self._kept is not None:
            return self._ingest_all()
        with self.spool.ingest_lock(timeout) as held:
            if not held:
                return None
            return self._ingest_all()

    def flush(self, timeout: float = 10.0) -> int:
        """Wait for the lock (up to ``timeout`` s) and ingest what is there; errors propagate.

        With a dedicated ingester at work (``flask ingest``) this does nothing:
        that process keeps the lock and ingests every fraction of a second.
        """
        if self._kept is None and self.spool.kept_by() is not None:
            return 0
        return self.run_once(timeout=timeout) or 0

    def keep_lock(self, stop: threading.Event) -> bool:
        """Become this spool's dedicated ingester: take the lock and keep it until :meth:`release`."""
        self._kept = self.spool.keep_ingest_lock(stop)
        return self._kept is not None

    def release(self) -> None:
        """Give the kept lock back (workers' ingest threads take over)."""
        kept, self._kept = self._kept, None
        if kept is not None:
            kept.__exit__(None, None, None)

    def _ingest_all(self) -> int:
        # one run at a time in this process too: a kept lock does not exclude
        # this process's own threads (the command's last flush, say)
        with self._running:
            return self._ingest_files()

    def _ingest_files(self) -> int:
        """Every file's news in batches of up to :data:`BATCH_BYTES`, one transaction each.

        A batch takes what every file holds past its position, so under load
        one transaction (one commit, one position query) covers all the
        workers' files instead of one per file.
        """
        files = self.spool.files()
        done = self._positions()
        offsets = {f.name: done.get(f.name, 0) for f in files}
        sealed = self.spool.sealed(files)
        count = 0
        more = True
        while more:
            moves, values, size, more = [], [], 0, False
            for f in files:
                room = max(BATCH_BYTES - size, LINE_ROOM)
                start = offsets.get(f.name, 0)
                chunk = _whole_lines(f.path, start, room)
                if not chunk:
                    continue
                more = more or len(chunk) + LINE_ROOM > room  # perhaps more past what fitted
                records, torn = decode_values(chunk)
                if torn:
                    self.skipped += torn
                    log.error(
                        "skipped %d torn spool line(s) in %s at offset %d", torn, f.name, start
                    )
                moves.append((f.name, start, start + len(chunk)))
                values += records
                size += len(chunk)
                if size >= BATCH_BYTES:
                    more = True
                    break
            if not moves:
                break
            # the rows and the positions just past them, in one transaction
            kept = self.sink.store(self.spool.spool_id, moves, values)
            if kept is None:  # stored meanwhile by another: read the positions again
                self._positions()
                self.ingested += count
                return count
            count += kept
            for name, _, end in moves:
                offsets[name] = self._known[name] = end
        for f in files:
            if f.name in sealed:
                self._delete_if_done(f)
        self.ingested += count
        return count

    def _delete_if_done(self, f) -> None:
        done = self._known.get(f.name, 0)  # just read or just written by this run
        try:
            size = f.path.stat().st_size
        except FileNotFoundError:
            self.sink.forget(self.spool.spool_id, f.name)
            return
        if done < size and not _has_newline(f.path, done):
            # a sealed file ending in a torn line (a short write when the disk was full):
            # nothing after the last newline will ever complete it
            self.skipped += 1
            log.error("dropped the torn last line of sealed spool file %s", f.name)
            done = size
        if done >= size:
            f.path.unlink(missing_ok=True)  # first the file, then its position:
            self.sink.forget(self.spool.spool_id, f.name)  # never re-read

    def backlog(self) -> Backlog:
        """What is spooled but not yet in the database (for ``/healthz``).

        When the stored positions cannot be read (database down), the last
        ones this process saw stand in for them.
        """
        files = self.spool.files()
        try:
            done = self._positions()
        except Exception:  # noqa: BLE001 - database down: what we last knew
            done = dict(self._known)
        pending = 0
        oldest = None
        lines = 0
        for f in files:
            try:
                size = f.path.stat().st_size
            except FileNotFoundError:
                continue
            start = done.get(f.name, 0)
            if size <= start:
                continue
            pending += size - start
            if oldest is None or pending <= BATCH_BYTES:
                with open(f.path, "rb") as fh:
                    fh.seek(start)
                    tail = fh.read(BATCH_BYTES)
                if oldest is None:
                    first = decode(tail.split(b"\n", 1)[0])
                    if first is not None:
                        oldest = first["ts_us"]
                lines += tail.count(b"\n")
        estimated = pending > BATCH_BYTES
        if estimated and lines:
            lines = int(pending / (BATCH_BYTES / max(lines, 1)))
        age = None
        if oldest is not None:
            age = max(0.0, (clock.epoch_micros(clock.now()) - oldest) / 1e6)
        return Backlog(records=lines, bytes=pending, oldest_age=age, estimated=estimated)


def _has_newline(path, offset: int) -> bool:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return b"\n" in fh.read(BATCH_BYTES)


def _whole_lines(path, offset: int, room: int) -> bytes:
    """Up to ``room`` bytes of ``path`` from ``offset``, cut after the last newline."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed at once
    except FileNotFoundError:
        return b""
    with fh:
        fh.seek(offset)
        chunk = fh.read(room)
    return chunk[: chunk.rfind(b"\n") + 1]


class IngestThread:
    """A daemon thread that runs :meth:`Ingester.run_once` every ``interval`` seconds."""

    def __init__(self, ingester: Ingester, interval: float = 0.2):
        self.ingester = ingester
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scan-ingester", daemon=True)
        self._failing = False

    def start(self) -> None:
        """Start polling (a daemon thread: it never keeps a worker from exiting)."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the batch in hand (what is left waits in the spool for the next run)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        done = None  # the spool's files and sizes when it was last ingested to the end
        while not self._stop.wait(self.interval):
            seen = self.ingester.spool.signature()
            if seen == done:
                continue  # nothing new: no lock, no query
            try:
                if self.ingester.run_once() is not None:
                    done = seen
                if self._failing:
                    log.warning("scan ingestion resumed")
                self._failing = False
            except Exception as exc:  # noqa: BLE001 - the scans wait in the spool; retry
                if not self._failing:
                    log.error(
                        "scan ingestion paused (%s: %s); scans wait in the spool",
                        type(exc).__name__,
                        str(exc).splitlines()[0][:200] if str(exc) else "",
                    )
                self._failing = True
                time.sleep(min(1.0, self.interval * 5))


def prepare_rollups(engine: Engine, tz: ZoneInfo) -> None:
    """Build the roll-ups if they never were, or re-file their days in ``tz`` (``flask migrate``)."""
    rollups.bring_up_to_date(engine, clock.SlotDays(tz))


def rebuild_rollups(engine: Engine, tz: ZoneInfo, *, dry_run: bool = False) -> dict:
    """Derive every roll-up from the raw rows again; ``{table: (wrong or extra, missing)}``."""
    return rollups.rebuild(engine, clock.SlotDays(tz), dry_run=dry_run)
