"""Moving spooled scans into the database: exactly once, in batches, one ingester at a time.

:meth:`Ingester.run_once` takes the spool folder's ingest lock (a ``flock``,
so a worker killed mid-batch hands it on), reads each file from its stored
position up to the last complete line, and stores each batch together with
the position just past it (:func:`share.storage.ingest.ingest`). A batch
that fails (database down, locked, slow) is simply tried again later from
the same position: the scans wait in the spool.

Every worker runs an :class:`IngestThread` that tries the lock a few times a
second, so scans reach the database within about a second and another
worker takes over when the ingesting one dies. :meth:`Ingester.flush` is the
same work done now, for readers that want their own scans counted at once.
The storage behind it is the one interface a broker-fed ingester (Kafka,
NATS JetStream…) would replace.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine

from share import clock
from share.storage import ingest as store

from .spool import Spool, decode

log = logging.getLogger("share.scans.ingest")
BATCH_BYTES = 4 * 1024 * 1024  # about 13,000 scans: one transaction each


@dataclass(frozen=True)
class Backlog:
    """What waits in the spool: records (estimated past a few MB) and the oldest one's age."""

    records: int
    bytes: int
    oldest_age: float | None
    estimated: bool


class Ingester:
    """Read a spool's files from their positions into the database."""

    def __init__(self, spool: Spool, engine: Engine):
        self.spool = spool
        self.engine = engine
        self.ingested = 0
        self.skipped = 0  # torn lines (a short write when the disk was full)
        self._known: dict[str, int] = {}

    def _positions(self) -> dict[str, int]:
        self._known = store.positions(self.engine, self.spool.spool_id)
        return self._known

    def run_once(self, timeout: float | None = 0.0) -> int | None:
        """Ingest everything complete in the spool now; ``None`` when another holds the lock."""
        with self.spool.ingest_lock(timeout) as held:
            if not held:
                return None
            return self._ingest_all()

    def flush(self, timeout: float = 10.0) -> int:
        """Wait for the lock (up to ``timeout`` s) and ingest what is there; errors propagate."""
        return self.run_once(timeout=timeout) or 0

    def _ingest_all(self) -> int:
        files = self.spool.files()
        done = self._positions()
        sealed = self.spool.sealed(files)
        count = 0
        for f in files:
            offset = done.get(f.name, 0)
            count += self._ingest_file(f.path, f.name, offset)
            if f.name in sealed:
                self._delete_if_done(f)
        self.ingested += count
        return count

    def _ingest_file(self, path, name: str, offset: int) -> int:
        count = 0
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed below, read in batches
        except FileNotFoundError:
            return 0
        with fh:
            fh.seek(offset)
            while True:
                chunk = fh.read(BATCH_BYTES)
                end = chunk.rfind(b"\n")
                if end < 0:
                    return count
                chunk = chunk[: end + 1]
                rows = []
                for line in chunk.splitlines():
                    record = decode(line)
                    if record is None:
                        self.skipped += 1
                        log.error("skipped a torn spool line in %s at offset %d", name, offset)
                        continue
                    rows.append(_row(record))
                offset += len(chunk)
                # the rows and the position just past them, in one transaction
                store.ingest(self.engine, self.spool.spool_id, name, offset, rows)
                self._known[name] = offset
                count += len(rows)
                fh.seek(offset)

    def _delete_if_done(self, f) -> None:
        done = self._known.get(f.name, 0)  # just read or just written by this run
        try:
            size = f.path.stat().st_size
        except FileNotFoundError:
            store.forget(self.engine, self.spool.spool_id, f.name)
            return
        if done < size and not _has_newline(f.path, done):
            # a sealed file ending in a torn line (a short write when the disk was full):
            # nothing after the last newline will ever complete it
            self.skipped += 1
            log.error("dropped the torn last line of sealed spool file %s", f.name)
            done = size
        if done >= size:
            f.path.unlink(missing_ok=True)  # first the file, then its position:
            store.forget(self.engine, self.spool.spool_id, f.name)  # never re-read

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


def _row(record: dict) -> dict:
    at = clock.from_epoch_micros(record["ts_us"])
    return {
        "link_id": record["link_id"],
        "ts": clock.to_storage(at),
        "hour": clock.epoch_hour(at),
        "placement": record["placement"],
        "client": record["client"],
        "platform": record["platform"],
        "is_bot": bool(record["is_bot"]),
        "referrer_host": record["referrer_host"],
        "user_agent": record["user_agent"],
        "visitor": record["visitor"],
    }


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
