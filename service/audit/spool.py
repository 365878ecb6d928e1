"""The decision log's local spool: decisions are written here on the request path, shipped from here.

A request never waits on the database. Each decision gets its id at once and is appended, as one JSON
line, to this process's segment in the spool directory (one `os.write` with O_APPEND: once it returns,
the record survives the process being killed; a sync thread fsyncs every SYNC_EVERY seconds, so a
power cut can cost at most that much). A shipper thread sends new lines to the database in batches
(idempotent inserts, so a batch sent twice is one set of rows) and keeps the shipped offset beside the
segment. When the database is away, the spool holds the backlog and the shipper retries with a
growing pause (the circuit breaker); the backlog drains by itself once it answers. Segments whose
process has died (no lock held on them) are adopted and shipped by any live process sharing the
directory, and by `closeness serve` before its workers start. Only a full spool drops a decision:
then the client gets no id, and the drop is counted and shown on /readyz.
"""

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import orjson

log = logging.getLogger("closeness.decision_log")
SEGMENT_SUFFIX = ".spool"
OFFSET_SUFFIX = ".shipped"
SYNC_EVERY = 0.05  # seconds between fsyncs of the open segment
SHIP_EVERY = 0.2  # seconds between batches: one transaction carries what came in meanwhile
BATCH = 1000  # records per insert at most
SEGMENT_BYTES = 8 << 20  # a fully shipped segment larger than this is replaced by a new one
ADOPT_EVERY = 2.0  # seconds between looks for segments left by processes that died
PROBE_EVERY = 5.0  # seconds between database probes while there is nothing to ship
STUCK_AFTER = 5.0  # a database call running longer than this counts as the database not answering
BACKOFF = (0.5, 1, 2, 4, 8, 15)  # pauses after consecutive failures (the last one repeats)


def _offset_path(segment: Path) -> Path:
    return segment.with_suffix(OFFSET_SUFFIX)


def _read_offset(segment: Path) -> int:
    try:
        return int(_offset_path(segment).read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _write_offset(segment: Path, offset: int) -> None:
    temporary = _offset_path(segment).with_suffix(".tmp")
    temporary.write_text(str(offset))
    os.replace(temporary, _offset_path(segment))


def _complete_lines(fd: int, offset: int, limit: int = BATCH) -> tuple[list[bytes], int]:
    """Up to `limit` whole records (JSON lines, as written) from offset; a line still being written is
    left for later, a torn one (a crash mid-write) is skipped."""
    records, position = [], offset
    while len(records) < limit:
        chunk = os.pread(fd, 1 << 20, position)
        end = chunk.rfind(b"\n")
        if end < 0:
            break
        for line in chunk[: end + 1].splitlines(keepends=True):
            if len(records) == limit:
                break
            position += len(line)
            try:
                orjson.loads(line)
                records.append(line.rstrip(b"\n"))
            except orjson.JSONDecodeError:  # a torn line from a crash mid-write: skipped, never retried
                log.error("decision spool: skipped an unreadable line")
        if len(chunk) < (1 << 20):
            break
    return records, position


class Spool:
    """This process's segment of a spool directory, its sync thread and its shipper thread.

    ship: sends a list of records (each one JSON object, as bytes) to the database, raising on failure;
    probe: checks the database.
    """

    def __init__(
        self,
        directory: Path | str,
        ship: Callable[[list[bytes]], None],
        probe: Callable[[], None],
        max_bytes: int,
        on_failure: Callable[[], None] = lambda: None,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.ship, self.probe, self.max_bytes, self.on_failure = ship, probe, max_bytes, on_failure
        self.dropped = 0
        self.database_ok: bool | None = None  # unknown until the first batch or probe
        self.busy_since: float | None = None  # when the database call now running began
        self.others_backlog = 0  # bytes waiting in segments of other live processes
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._unsynced = self._dropping = False
        self._failures = 0
        self._pid = os.getpid()
        self._open_segment()
        self._threads = [
            threading.Thread(target=self._sync_loop, name="closeness-spool-sync", daemon=True),
            threading.Thread(target=self._ship_loop, name="closeness-spool-ship", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # The request path.

    def append(self, record: dict) -> bool:
        """Write one record; False (and counted) when the spool is full or cannot be written."""
        line = orjson.dumps(record) + b"\n"
        with self._lock:
            if self.backlog_bytes() + len(line) > self.max_bytes:
                self.dropped, self._dropping = self.dropped + 1, True
                return False
            try:
                written = os.write(self.fd, line)
            except OSError as error:
                self.dropped, self._dropping = self.dropped + 1, True
                log.error("decision spool: write failed: %s", type(error).__name__)
                return False
            self.size += written
            self._unsynced = True
        return True

    # State, for /readyz and the metrics.

    def backlog_bytes(self) -> int:
        return self.size - self.shipped + self.others_backlog

    def state(self) -> dict:
        stuck = self.busy_since is not None and time.monotonic() - self.busy_since > STUCK_AFTER
        if self.database_ok is None and not stuck:
            database = "unknown"
        else:
            database = "ok" if self.database_ok and not stuck else "unreachable"
        # Full: dropping since the last batch went out, or nearly no room left. Gone: the segment was
        # deleted under us (a temp cleaner), so what is written now could not survive a crash.
        full = self._dropping or self.backlog_bytes() >= self.max_bytes * 0.95
        try:
            gone = os.fstat(self.fd).st_nlink == 0
        except OSError:
            gone = True
        return {
            "spool": "gone" if gone else "full" if full else "ok",
            "database": database,
            "backlog_bytes": self.backlog_bytes(),
            "dropped": self.dropped,
        }

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything this process appended is in the database; whether it got there."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.shipped >= self.size:
                return True
            self._wake.set()
            time.sleep(0.01)
        return self.shipped >= self.size

    def close(self, timeout: float = 5.0) -> None:
        """Ship what is left (within timeout), stop the threads, release the segment."""
        if self._stop.is_set():
            return
        self.flush(timeout)
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(0.5)
        with self._lock:
            os.fsync(self.fd)
            if self.shipped >= self.size:
                self._remove(self.segment)
            os.close(self.fd)
            os.close(self.reader)

    # Segments.

    def _open_segment(self) -> None:
        path = self.directory / f"{os.getpid()}-{time.time_ns()}{SEGMENT_SUFFIX}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held for the process's life: a segment without a lock is an orphan
        self.segment, self.fd, self.reader = path, fd, os.open(path, os.O_RDONLY)
        self.size = self.shipped = 0

    def _remove(self, segment: Path) -> None:
        for path in (segment, _offset_path(segment)):
            path.unlink(missing_ok=True)

    def _rotate(self) -> None:
        """Replace a fully shipped, large segment with a new one."""
        with self._lock:
            if self.shipped < self.size or self.size < SEGMENT_BYTES:
                return
            old, old_fd, old_reader = self.segment, self.fd, self.reader
            self._open_segment()
        self._remove(old)
        os.close(old_fd)
        os.close(old_reader)

    # The threads.

    def _sync_loop(self) -> None:
        while not self._stop.wait(SYNC_EVERY):
            with self._lock:
                if not self._unsynced:
                    continue
                fd, self._unsynced = os.dup(self.fd), False
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def _database(self, call, *args) -> bool:
        """Run one database call, keeping track of health; whether it worked."""
        self.busy_since = time.monotonic()
        try:
            call(*args)
        except Exception as error:  # noqa: BLE001 - any failure means: keep the records, retry later
            self.database_ok, self._failures = False, self._failures + 1
            log.error("decision log: database call failed: %s", type(error).__name__)
            self.on_failure()
            return False
        finally:
            self.busy_since = None
        self.database_ok, self._failures = True, 0
        return True

    def _pause(self) -> None:
        if self._failures:
            self._stop.wait(BACKOFF[min(self._failures, len(BACKOFF)) - 1])

    def _ship_loop(self) -> None:
        adopted_at = probed_at = 0.0
        while not self._stop.is_set():
            self._wake.wait(SHIP_EVERY)  # flush() wakes it at once
            self._wake.clear()
            if os.getpid() != self._pid:  # a forked child never ships its parent's segment
                return
            if self.shipped < self.size:
                records, offset = _complete_lines(self.reader, self.shipped)
                if records and not self._database(self.ship, records):
                    self._pause()
                    continue
                self.shipped, self._dropping = offset, False
                _write_offset(self.segment, offset)
                probed_at = time.monotonic()
                self._rotate()
                if len(records) == BATCH:
                    self._wake.set()  # more is waiting: no pause
                continue
            now = time.monotonic()
            if now - adopted_at > ADOPT_EVERY:
                adopted_at = now
                if not self._adopt():
                    self._pause()
                    continue
            if now - probed_at > PROBE_EVERY:
                probed_at = now
                if not self._database(self.probe):
                    self._pause()

    def _adopt(self) -> bool:
        """Ship segments left by processes that died; count what live ones still hold. False: the
        database failed."""
        others = 0
        for segment in sorted(self.directory.glob(f"*{SEGMENT_SUFFIX}")):
            if segment == self.segment:
                continue
            try:
                fd = os.open(segment, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # its process is alive and ships it itself
                    others += max(0, os.fstat(fd).st_size - _read_offset(segment))
                    continue
                if os.fstat(fd).st_nlink == 0:  # shipped and removed by another process meanwhile
                    continue
                if not ship_segment(segment, fd, lambda records: self._database(self.ship, records)):
                    others += max(0, os.fstat(fd).st_size - _read_offset(segment))
                    self.others_backlog = others
                    return False
            finally:
                os.close(fd)
        self.others_backlog = others
        return True


def ship_segment(segment: Path, fd: int, ship: Callable[[list[bytes]], bool]) -> bool:
    """Ship a whole segment (its lock held by the caller) and remove it; whether it all went."""
    offset = _read_offset(segment)
    while True:
        records, end = _complete_lines(fd, offset)
        if not records:
            break
        if not ship(records):
            return False
        offset = end
        _write_offset(segment, offset)
    for path in (segment, _offset_path(segment)):
        path.unlink(missing_ok=True)
    log.info("decision spool: shipped a segment left by an earlier process")
    return True


def drain(directory: Path | str, ship: Callable[[list[bytes]], None], timeout: float = 15.0) -> int:
    """Ship every orphan segment now (`closeness serve`, before workers start); how many remain."""
    directory = Path(directory)
    if not directory.is_dir():
        return 0
    result = {"left": 0}

    def ship_or_false(records) -> bool:
        try:
            ship(records)
        except Exception as error:  # noqa: BLE001
            log.error("decision spool: shipping at start failed: %s", type(error).__name__)
            return False
        return True

    def work():
        for segment in sorted(directory.glob(f"*{SEGMENT_SUFFIX}")):
            fd = os.open(segment, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if not ship_segment(segment, fd, ship_or_false):
                    result["left"] += 1
            except BlockingIOError:
                pass
            finally:
                os.close(fd)

    thread = threading.Thread(target=work, name="closeness-spool-drain", daemon=True)
    thread.start()
    thread.join(timeout)  # a frozen database never holds the start for longer than this
    return result["left"] + (1 if thread.is_alive() else 0)
