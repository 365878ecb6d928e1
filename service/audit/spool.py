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
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from service.audit.spool_files import (
    BATCH,
    SEGMENT_SUFFIX,
    complete_lines,
    read_offset,
    remove,
    write_offset,
)

log = logging.getLogger("closeness.decision_log")
DEAD_LETTERS = "dead-letters.jsonl"  # records the database refused one by one while it answered
SYNC_EVERY = 0.05  # seconds between fsyncs of the open segment
SHIP_EVERY = 0.5  # seconds between batches: one transaction carries what came in meanwhile
SEGMENT_BYTES = 8 << 20  # the open segment is replaced when it reaches this; the old one is adopted
ADOPT_EVERY = 2.0  # seconds between looks for segments nobody holds (dead processes, rotated ones)
PROBE_EVERY = 5.0  # seconds between database probes while there is nothing to ship
STUCK_AFTER = 5.0  # a database call running longer than this counts as the database not answering
FULL_FOR = 5.0  # seconds /readyz says "full" after a drop
BACKOFF = (0.5, 1, 2, 4, 8, 15)  # pauses after consecutive failures (the last one repeats)
REFUSED_ALONE = 5  # a single record failing this often while the database answers is set aside


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
        self.dropped = self.dead_letters = 0
        self.database_ok: bool | None = None  # unknown until the first batch or probe
        self.busy_since: float | None = None  # when the database call now running began
        self.others_backlog = 0  # bytes waiting in segments this process does not write
        self.shipper_ok = True  # False while the ship thread keeps failing outside the database
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._unsynced = False
        self._dropped_at: float | None = None
        self._failures = 0
        self._batch = BATCH
        self._alone_failures = 0
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
                return self._drop()
            try:
                written = os.write(self.fd, line)
            except OSError as error:
                log.error("decision spool: write failed: %s", type(error).__name__)
                return self._drop()
            if written != len(line):  # a short write (a full disk): take it back, give no id
                os.ftruncate(self.fd, self.size)
                return self._drop()
            self.size += written
            self._unsynced = True
        return True

    def _drop(self) -> bool:
        self.dropped, self._dropped_at = self.dropped + 1, time.monotonic()
        return False

    # State, for /readyz and the metrics.

    def backlog_bytes(self) -> int:
        return self.size - self.shipped + self.others_backlog

    def state(self) -> dict:
        stuck = self.busy_since is not None and time.monotonic() - self.busy_since > STUCK_AFTER
        if self.database_ok is None and not stuck:
            database = "unknown"
        else:
            database = "ok" if self.database_ok and not stuck else "unreachable"
        # Full: a drop since the backlog last went out (for a few seconds at most), or nearly no room.
        # Gone: the open segment was deleted under us (a temp cleaner): what is written now could not
        # survive a crash.
        recently = self._dropped_at is not None and time.monotonic() - self._dropped_at < FULL_FOR
        full = recently or self.backlog_bytes() >= self.max_bytes * 0.95
        with self._lock:
            try:
                gone = os.fstat(self.fd).st_nlink == 0
            except OSError:
                gone = True
        spool = "gone" if gone else "full" if full else "ok" if self.shipper_ok else "failing"
        return {
            "spool": spool,
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
            thread.join(2.0)
        with self._lock:
            os.fsync(self.fd)
            if self.shipped >= self.size:
                remove(self.segment)
            if not any(thread.is_alive() for thread in self._threads):  # else: the process is exiting
                os.close(self.fd)
                os.close(self.reader)

    # Segments.

    def _open_segment(self) -> None:
        """A new segment, locked before it gets the name others look for, so nobody adopts it."""
        stem = f"{os.getpid()}-{time.time_ns()}"
        fresh = self.directory / f"{stem}.new"
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)  # held for the segment's life: a segment without a lock is an orphan
        path = self.directory / f"{stem}{SEGMENT_SUFFIX}"
        os.rename(fresh, path)
        self.segment, self.fd, self.reader = path, fd, os.open(path, os.O_RDONLY)
        self.size = self.shipped = 0

    def _rotate(self) -> None:
        """A full segment is replaced by a new one; the old one, unlocked, is shipped by adoption."""
        with self._lock:
            if self.size < SEGMENT_BYTES:
                return
            segment, fd, reader, waiting = self.segment, self.fd, self.reader, self.size - self.shipped
            self._open_segment()
        os.fsync(fd)
        if waiting <= 0:
            remove(segment)
        else:
            self.others_backlog += waiting
        os.close(fd)  # releases its lock: from now on it is an orphan like any other
        os.close(reader)
        self._wake.set()

    # The threads.

    def _sync_loop(self) -> None:
        while not self._stop.wait(SYNC_EVERY):
            with self._lock:
                if not self._unsynced:
                    continue
                fd, self._unsynced = os.dup(self.fd), False
            try:
                os.fsync(fd)
            except OSError as error:
                log.error("decision spool: fsync failed: %s", type(error).__name__)
            finally:
                os.close(fd)

    def _database(self, call, *args) -> bool:
        """Run one database call, keeping track of health; whether it worked."""
        self.busy_since = time.monotonic()
        try:
            call(*args)
        except Exception as error:  # noqa: BLE001 - any failure means: keep the records, retry later
            # Counted before the state says so: whoever sees "unreachable" finds the failure counted.
            log.error("decision log: database call failed: %s", type(error).__name__)
            self.on_failure()
            self.database_ok, self._failures = False, self._failures + 1
            return False
        finally:
            self.busy_since = None
        self.database_ok, self._failures = True, 0
        return True

    def _pause(self) -> None:
        if self._failures:
            self._wake.clear()
            self._stop.wait(BACKOFF[min(self._failures, len(BACKOFF)) - 1])

    def _ship_loop(self) -> None:
        adopted_at = probed_at = 0.0
        while not self._stop.is_set():
            self._wake.wait(SHIP_EVERY)  # flush() wakes it at once
            self._wake.clear()
            try:
                shipped_own = self._ship_own()
                if shipped_own is None:
                    self._pause()
                    continue
                now = time.monotonic()
                if now - adopted_at > ADOPT_EVERY:  # on every pass that is due, busy or not
                    adopted_at = now
                    if not self._adopt():
                        self._pause()
                        continue
                if shipped_own:
                    probed_at = now
                elif now - probed_at > PROBE_EVERY:
                    probed_at = now
                    if not self._database(self.probe):
                        self._pause()
                self.shipper_ok = True
            except Exception as error:  # noqa: BLE001 - the thread must outlive any one failure
                self.shipper_ok, self._failures = False, self._failures + 1
                log.error("decision spool: shipping failed: %s", type(error).__name__)
                self._pause()

    def _ship_own(self) -> bool | None:
        """Ship a batch of this process's segment: True if some went, False if none waited, None if
        the database failed."""
        if self.shipped >= self.size:
            return False
        records, offset = complete_lines(self.reader, self.shipped, self._batch)
        if records and not self._database(self.ship, records):
            self._isolate(records)
            return None
        self.shipped, self._batch, self._alone_failures, self._dropped_at = offset, BATCH, 0, None
        write_offset(self.segment, offset)
        self._rotate()
        if len(records) == self._batch:
            self._wake.set()  # more is waiting: no pause
        return True

    def _isolate(self, records: list[bytes]) -> None:
        """After a failed batch: while the database answers probes, the batch itself is the problem.
        Halve it; a single record refused again and again goes to the dead letters."""
        try:
            self.probe()
        except Exception:  # noqa: BLE001 - the database is away: the batch is not to blame
            return
        if len(records) > 1:
            self._batch = max(1, len(records) // 2)
            return
        self._alone_failures += 1
        if self._alone_failures < REFUSED_ALONE:
            return
        with open(self.directory / DEAD_LETTERS, "ab") as letters:
            letters.write(records[0] + b"\n")
        _, offset = complete_lines(self.reader, self.shipped, 1)
        self.shipped, self._alone_failures, self._failures = offset, 0, 0
        write_offset(self.segment, offset)
        self.dead_letters += 1
        log.error("decision spool: a record the database refuses was set aside in %s", DEAD_LETTERS)

    def _adopt(self) -> bool:
        """Ship segments nobody holds (dead processes, rotated segments); count what live ones hold.
        False: the database failed."""
        others = 0
        for segment in sorted(self.directory.glob(f"*{SEGMENT_SUFFIX}")):
            if segment == self.segment:
                continue
            try:
                fd = os.open(segment, os.O_RDONLY)
            except OSError:
                continue
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:  # its process is alive and ships it itself
                    others += max(0, os.fstat(fd).st_size - read_offset(segment))
                    continue
                if os.fstat(fd).st_nlink == 0:  # shipped and removed by another process meanwhile
                    continue
                if not ship_segment(segment, fd, lambda records: self._database(self.ship, records)):
                    others += max(0, os.fstat(fd).st_size - read_offset(segment))
                    self.others_backlog = others
                    return False
            finally:
                os.close(fd)
        self.others_backlog = others
        if others < self.max_bytes // 2:
            self._dropped_at = None  # the backlog that made it drop has gone out
        return True


def ship_segment(segment: Path, fd: int, ship: Callable[[list[bytes]], bool]) -> bool:
    """Ship a whole segment (its lock held by the caller) and remove it; whether it all went."""
    offset = read_offset(segment)
    while True:
        records, end = complete_lines(fd, offset)
        if not records:
            break
        if not ship(records):
            return False
        offset = end
        write_offset(segment, offset)
    remove(segment)
    log.info("decision spool: shipped a segment no process held")
    return True


def _drain(directory: Path, ship: Callable[[list[bytes]], None]) -> None:
    def ship_or_false(records) -> bool:
        try:
            ship(records)
        except Exception as error:  # noqa: BLE001
            log.error("decision spool: shipping at start failed: %s", type(error).__name__)
            return False
        return True

    left = 0
    for segment in sorted(directory.glob(f"*{SEGMENT_SUFFIX}")):
        try:
            fd = os.open(segment, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_nlink and not ship_segment(segment, fd, ship_or_false):
                left += 1
        except OSError:  # held by a live process (BlockingIOError), or unreadable
            pass
        finally:
            os.close(fd)
    os._exit(min(left, 100))


def drain(directory: Path | str, ship: Callable[[list[bytes]], None], timeout: float = 15.0) -> int:
    """Ship every orphan segment now (`closeness serve`, before workers start); how many remain.

    In a child process, killed at the timeout: its locks and connections die with it, so workers forked
    later inherit neither (a frozen database never holds the start for longer than the timeout)."""
    directory = Path(directory)
    if not directory.is_dir() or not any(directory.glob(f"*{SEGMENT_SUFFIX}")):
        return 0
    child = multiprocessing.get_context("fork").Process(target=_drain, args=(directory, ship), daemon=True)
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return len(list(directory.glob(f"*{SEGMENT_SUFFIX}")))
    return child.exitcode or 0
