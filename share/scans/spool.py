"""The scan spool: append-only files in the instance folder, in front of the database.

The redirect must answer fast and must not lose a scan when the database is
slow, locked or down. So a scan is first one ``write()`` of one line to a
file of the writing process's own (no lock shared between workers); once the
kernel holds the bytes, ``kill -9`` of the worker cannot lose them — the
guarantee SQLite's ``synchronous=NORMAL`` gave before. An optional periodic
``fsync`` (``SPOOL_FSYNC``) adds power-loss safety.

:class:`~share.scans.ingest.Ingester` moves the lines into the database.
A spool belongs to one database: its folder is named after a hash of the
database URL, so services sharing an instance folder never ingest into
each other's databases.

Files are named ``<start ns>-<pid>.spool``. A process writes one file until
it passes :data:`ROTATE_BYTES`, then starts the next; a file is *sealed*
once its writer has a newer file or is gone, and only sealed, fully ingested
files are deleted.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from share.instance import read_or_create
from share.storage import scanrows

ROTATE_BYTES = 64 * 1024 * 1024
SUFFIX = ".spool"

#: The columns of a scan row, in the order a spool line lists them (defined with the
#: storage that writes them, :mod:`share.storage.scanrows`).
FIELDS = scanrows.FIELDS


def folder_for(instance_path: str | Path, database_url: str) -> Path:
    """The spool folder of one database inside an instance folder."""
    digest = hashlib.sha256(database_url.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Path(instance_path) / "spool" / digest


#: One encoder for every line: ``json.dumps`` with arguments builds a new one per call.
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode


def encode(record: dict) -> bytes:
    """One spool line: a JSON array of :data:`FIELDS`, ASCII, ending in a newline."""
    return (_ENCODE([record[name] for name in FIELDS]) + "\n").encode("ascii")


def decode(line: bytes) -> dict | None:
    """A spool line back into a record; ``None`` for a line that is not one (a torn write)."""
    try:
        values = json.loads(line)
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != len(FIELDS):
        return None
    record = dict(zip(FIELDS, values, strict=True))
    if not isinstance(record["link_id"], int) or not isinstance(record["ts_us"], int):
        return None
    return record


def decode_values(chunk: bytes) -> tuple[list[list], int]:
    """Every whole line of ``chunk`` as its list of values (:data:`FIELDS` order), and how
    many lines were torn.

    One ``json.loads`` over the chunk (as one array) instead of one per line,
    and no dict per record: the ingester's parsing cost drops several times.
    A chunk holding a torn line (only ever the end of a file) is decoded line
    by line instead.
    """
    body = chunk.rstrip(b"\n")
    if not body:
        return [], 0
    try:
        rows = json.loads(b"[" + body.replace(b"\n", b",") + b"]")
    except ValueError:
        rows = None
    width = len(FIELDS)
    if rows is not None and all(
        type(r) is list and len(r) == width and type(r[0]) is int and type(r[1]) is int
        for r in rows
    ):
        return rows, 0
    records, torn = [], 0
    for line in body.split(b"\n"):
        record = decode(line)
        if record is None:
            torn += 1
        else:
            records.append([record[name] for name in FIELDS])
    return records, torn


@dataclass(frozen=True)
class SpoolFile:
    """One spool file: who started writing it, and when (its name says both)."""

    path: Path
    started_ns: int
    pid: int

    @property
    def name(self) -> str:
        """The file's name: its key in ``spool_positions``."""
        return self.path.name


class Spool:
    """Append scans to this process's spool file; list, lock and tidy the folder."""

    def __init__(self, folder: Path, fsync_every: float = 0.0, rotate_bytes: int = ROTATE_BYTES):
        self.folder = Path(folder)
        self.fsync_every = fsync_every
        self.rotate_bytes = rotate_bytes
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._size = 0
        self._synced = 0.0
        self.folder.mkdir(parents=True, exist_ok=True)
        self.spool_id = self._identity()

    def _identity(self) -> str:
        """A random id kept in the folder: whose rows the ingest positions belong to."""
        return read_or_create(self.folder / "id", lambda: secrets.token_hex(8), "a spool's id")

    # -- writing -------------------------------------------------------------

    def append(self, line: bytes) -> None:
        """Write one line with one ``write()``; ``OSError`` when the spool cannot take it."""
        with self._lock:
            fd = self._writable(len(line))
            written = os.write(fd, line)
            self._size += written
            if written != len(line):
                # a short write (disk full): the torn line is skipped by the ingester
                self._close()
                raise OSError(f"short write to the scan spool ({written} of {len(line)} bytes)")
            if self.fsync_every and time.monotonic() - self._synced >= self.fsync_every:
                os.fsync(fd)
                self._synced = time.monotonic()

    def _writable(self, incoming: int) -> int:
        pid = os.getpid()
        if self._fd is None or self._pid != pid or self._size + incoming > self.rotate_bytes:
            if self._fd is not None and self._pid == pid:
                self._close()
            name = f"{time.time_ns()}-{pid}{SUFFIX}"
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
            self._fd = os.open(self.folder / name, flags, 0o600)
            self._pid, self._size = pid, 0
        return self._fd

    def _close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
        self._fd = None

    def close(self) -> None:
        """Close this process's file (it becomes sealed once the process is gone or moves on)."""
        with self._lock:
            if self._fd is not None and self._pid == os.getpid():
                if self.fsync_every:
                    with contextlib.suppress(OSError):
                        os.fsync(self._fd)
                self._close()

    # -- reading -------------------------------------------------------------

    def files(self) -> list[SpoolFile]:
        """Every spool file, oldest first."""
        found = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            started, _, pid = path.name[: -len(SUFFIX)].partition("-")
            if started.isascii() and started.isdigit() and pid.isascii() and pid.isdigit():
                found.append(SpoolFile(path, int(started), int(pid)))
        return sorted(found, key=lambda f: (f.started_ns, f.pid))

    def signature(self) -> tuple:
        """The files' names and sizes: unchanged means nothing new to ingest."""
        try:
            entries = os.scandir(self.folder)
        except FileNotFoundError:
            return ()
        with entries:
            return tuple(
                sorted((e.name, e.stat().st_size) for e in entries if e.name.endswith(SUFFIX))
            )

    def sealed(self, files: list[SpoolFile]) -> set[str]:
        """Names of files no process will write again: a newer file of its pid, or pid gone."""
        newest: dict[int, SpoolFile] = {}
        for f in files:
            newest[f.pid] = f
        out = set()
        for f in files:
            if newest[f.pid] is not f or not process_alive(f.pid):
                out.add(f.name)
        return out

    @contextlib.contextmanager
    def ingest_lock(self, timeout: float | None = 0.0) -> Iterator[bool]:
        """Hold the folder's ingest lock; yields False when another holder kept it past ``timeout``.

        ``flock`` is released by the kernel when its holder dies, so another
        worker takes over after a ``kill -9``.
        """
        fd = os.open(self.folder / "ingest.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:
                        yield False
                        return
                    time.sleep(0.005)
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def keep_ingest_lock(self, stop: threading.Event) -> contextlib.AbstractContextManager | None:
        """Take the ingest lock for good (a dedicated ingester); ``None`` if ``stop`` came first.

        The holder's pid is written into the lock file, so readers know a
        dedicated ingester is at work and do not wait for the lock
        (:meth:`kept_by`). Leaving the returned context releases it; a
        ``kill -9`` releases it too (the kernel drops the ``flock``).
        """
        while not stop.is_set():
            held = self.ingest_lock(timeout=0.5)
            if held.__enter__():
                marker = self.folder / "ingest.lock"
                marker.write_text(str(os.getpid()))
                return _Kept(held, marker)
            held.__exit__(None, None, None)
        return None

    def kept_by(self) -> int | None:
        """The pid of a live dedicated ingester keeping the lock, or ``None``.

        The pid in the lock file only counts while the lock is actually held:
        after a ``kill -9`` the file keeps a pid the kernel may give to
        another process, but the lock itself is free.
        """
        try:
            text = (self.folder / "ingest.lock").read_text().strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        if not (text.isascii() and text.isdigit()):
            return None
        pid = int(text)
        if pid == os.getpid() or not process_alive(pid):
            return None
        with self.ingest_lock(timeout=0) as free:
            return None if free else pid


class _Kept(contextlib.AbstractContextManager):
    """The lock a dedicated ingester keeps; leaving clears the pid and releases it."""

    def __init__(self, held, marker: Path):
        self._held, self._marker = held, marker

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(OSError):
            self._marker.write_text("")
        self._held.__exit__(None, None, None)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (this process always does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
