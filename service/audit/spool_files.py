"""The spool's files: a segment's shipped offset beside it, and whole lines read from a segment."""

import logging
import os
from pathlib import Path

log = logging.getLogger("closeness.decision_log")

SEGMENT_SUFFIX = ".spool"
OFFSET_SUFFIX = ".shipped"
BATCH = 1000  # records per insert at most (halved after failures while the database answers)


def offset_path(segment: Path) -> Path:
    return segment.with_suffix(OFFSET_SUFFIX)


def read_offset(segment: Path) -> int:
    try:
        return int(offset_path(segment).read_text() or 0)
    except (OSError, ValueError):
        return 0


def write_offset(segment: Path, offset: int) -> None:
    temporary = offset_path(segment).with_suffix(".tmp")
    temporary.write_text(str(offset))
    os.replace(temporary, offset_path(segment))


def remove(segment: Path) -> None:
    for path in (segment, offset_path(segment), offset_path(segment).with_suffix(".tmp")):
        path.unlink(missing_ok=True)


def complete_lines(fd: int, offset: int, limit: int = BATCH) -> tuple[list[bytes], int]:
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
            # Each record is one write of one JSON object: a line that is not one is torn (a power cut
            # mid-write) and skipped. (A record the database still refuses goes to the dead letters.)
            if line.startswith(b"{") and line.endswith(b"}\n"):
                records.append(line[:-1])
            else:
                log.error("decision spool: skipped an unreadable line")
        if len(chunk) < (1 << 20):
            break
    return records, position
