"""`closeness evaluate`: one JSON object in, one result out; or JSON Lines, streamed in constant memory."""

import collections
import itertools
import json
import math
import mmap
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

import click
import orjson

from schemas.contract import dump_result
from schemas.resources import dump_resources
from service.cli.group import UsageError, chosen_rules, cli, rules_option
from service.core.decision import Evaluator
from service.core.exceptions import AnswersInvalid, ClosenessError
from service.core.json_input import JsonInputError, parse_json
from service.core.rulebook import load_rulebook
from service.ops.settings import load_resources, rules_dir, settings

EMPTY_LINE = {"_line": ["This line is empty; expected one JSON object of answers."]}
NOTHING = "closeness: {where} is empty; expected one JSON object of answers, or JSON Lines"


def load_evaluator(rules: str | None) -> Evaluator:
    """The evaluator for a rules directory, with the configured support resources."""
    rulebook = load_rulebook(rules_dir(rules))
    resources = load_resources(settings()["RESOURCES_FILE"], rulebook.concerns, rulebook.resources)
    return Evaluator(rulebook, resources)


def _one(evaluator: Evaluator, text: str, changes: bool = False) -> tuple[dict, bool]:
    """(result or errors, valid?) for one JSON text; with `changes`, what the result depends on."""
    try:
        assessment = evaluator.decide(parse_json(text))
        if not changes:
            return dump_result(assessment.result), True
        would_change = evaluator.would_change(assessment)
        return dump_result(replace(assessment.result, would_change=would_change)), True
    except JsonInputError as error:
        return {"errors": {"_json": [str(error)]}}, False
    except AnswersInvalid as error:
        out = {"errors": error.messages}
        if error.retired:
            out["message"] = error.retired
        if error.safety_resources is not None:
            out["safety_resources"] = dump_resources(error.safety_resources)
        return out, False


_worker_evaluator: Evaluator | None = None  # in --jobs worker processes (forked: the engine rebuilds itself)
_worker_changes = False
CHUNK = 256  # answer sets a worker process takes at a time
MAX_DEFAULT_JOBS = 8
# A chunk's output (about 1 MB) comes back from its worker through memory shared with it, not a pipe: the
# pipe and its copies cost about a tenth of the batch's time. One slot per chunk in flight; an output that
# does not fit goes by the pipe. The memory is anonymous (no file) and only the workers forked from this
# process share it.
SLOT_BYTES = 2 << 20
MAX_JOBS = 64  # --jobs: at most 2 x 64 slots, 256 MiB reserved, of which only what outputs use is touched
_worker_slots: mmap.mmap | None = None


def _line_result(line: str) -> tuple[bytes, bool]:
    if not line.strip():
        return orjson.dumps({"errors": EMPTY_LINE}, option=orjson.OPT_APPEND_NEWLINE), False
    result, valid = _one(_worker_evaluator, line, _worker_changes)
    return orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE), valid


def _chunk_result(lines: list[str]) -> tuple[bytes, bool, int]:
    """A chunk's JSON lines as one piece of output, whether every line was valid, and how many."""
    out, all_valid = [], True
    for line in lines:
        data, valid = _line_result(line)
        out.append(data)
        all_valid &= valid
    return b"".join(out), all_valid, len(lines)


def _chunk_into_slot(lines: list[str], slot: int) -> tuple[bytes | int, bool, int]:
    """In a worker: _chunk_result, its output written into shared slot `slot` (then only its size
    comes back) when it fits."""
    data, all_valid, count = _chunk_result(lines)
    if len(data) > SLOT_BYTES:
        return data, all_valid, count
    start = slot * SLOT_BYTES
    _worker_slots[start : start + len(data)] = data
    return len(data), all_valid, count


def default_jobs() -> int:
    """The processors this process may use (its CPU affinity, and a cgroup's CPU quota where one is
    set), at most MAX_DEFAULT_JOBS: --jobs when it is not given."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = os.cpu_count() or 1
    try:  # cgroup v2: "max 100000" (no quota) or "<quota> <period>" microseconds
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            usable = min(usable, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass
    return max(1, min(usable, MAX_DEFAULT_JOBS))


class WorkerStopped(ClosenessError):
    """A worker process of closeness evaluate ended before finishing its answer sets."""


def _quiet_worker() -> None:
    # Ctrl-C stops the command in its main process, which ends the workers: one message, not one each.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _results(evaluator: Evaluator, lines, jobs: int, changes: bool = False):
    """(output, all valid?, how many) for every chunk of input lines, in input order.

    Several worker processes share the work when there are several jobs and more than one chunk of
    input; at most two chunks per worker are in flight, so memory stays flat whatever the input's size.
    A worker that dies (killed, out of memory) stops the command instead of leaving it waiting.
    From workers, an output may be a view of shared memory: it is released when the next one is asked
    for (its slot then holds other answers), so a view kept longer fails instead of reading them.
    """
    global _worker_evaluator, _worker_changes, _worker_slots
    _worker_evaluator, _worker_changes = evaluator, changes
    chunks = iter(lambda: list(itertools.islice(lines, CHUNK)), [])
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None) if jobs > 1 else None
    if second is None:  # one process: one chunk in all, or one job
        yield _chunk_result(first)
        yield from map(_chunk_result, chunks)
        return
    in_flight = 2 * jobs
    try:
        _worker_slots = mmap.mmap(-1, in_flight * SLOT_BYTES)  # before the workers fork: they share it
    except OSError:
        raise UsageError(f"not enough memory for {jobs} worker processes; give fewer with --jobs") from None
    slots = memoryview(_worker_slots)

    def output(future, slot: int) -> tuple:
        data, all_valid, count = future.result()
        if isinstance(data, int):  # in its slot: reused only after this output was written
            data = slots[slot * SLOT_BYTES : slot * SLOT_BYTES + data]
        return data, all_valid, count

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_quiet_worker) as pool:
        pending: collections.deque = collections.deque()
        try:
            for number, chunk in enumerate(itertools.chain([first, second], chunks)):
                # Chunk n-in_flight, the slot's last user, was written before this chunk was read.
                slot = number % in_flight
                pending.append((pool.submit(_chunk_into_slot, chunk, slot), slot))
                if len(pending) >= in_flight:
                    yield from _handed_out(output(*pending.popleft()))
            while pending:
                yield from _handed_out(output(*pending.popleft()))
        except BrokenProcessPool:
            raise WorkerStopped(
                "a worker process stopped before it finished (was it killed, or out of memory?); "
                "the output is incomplete"
            ) from None
        finally:
            for future, _slot in pending:
                future.cancel()
            _worker_slots = None  # unmapped once the last view of it is gone


def _handed_out(output: tuple):
    yield output
    if isinstance(output[0], memoryview):  # the consumer is back: it wrote the view out
        output[0].release()


def _open(path: str):
    """The input as text; a UTF-8 byte order mark at the start is skipped (utf-8-sig)."""
    if path == "-":
        sys.stdin.reconfigure(encoding="utf-8-sig")
        return sys.stdin
    return open(path, encoding="utf-8-sig")  # noqa: SIM115 - closed by the caller's with


@cli.command(
    "evaluate", help="Evaluate one JSON object, or JSON Lines of answers (PATH or - for standard input)."
)
@click.argument("path")
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=MAX_JOBS),
    default=None,
    metavar="N",
    help=f"worker processes for JSON Lines, 1 to {MAX_JOBS} (output in input order); default: the "
    f"processors it may use, at most {MAX_DEFAULT_JOBS}",
)
@click.option("--changes", is_flag=True, help="add what each result depends on (would_change)")
@rules_option
def evaluate(path, jobs, changes, rules):
    """One JSON object in, one result out; or JSON Lines, streamed line by line in constant memory."""
    evaluator = load_evaluator(chosen_rules(rules))
    click.get_current_context().meta["closeness.reading"] = "standard input" if path == "-" else path
    with _open(path) as source:
        first = source.readline()
        while first and not first.strip():  # blank lines before anything count as nothing
            first = source.readline()
        if not first:
            click.echo(NOTHING.format(where="standard input" if path == "-" else path), err=True)
            sys.exit(1)
        try:
            parse_json(first)
            second = source.readline()
        except JsonInputError:  # not a whole document on one line: one object over several lines
            first, second = first + source.read(), ""
        if not second and not first.lstrip().startswith(("[", '"')) and first.strip():
            result, valid = _one(evaluator, first, changes)
            print(json.dumps(result, indent=2, ensure_ascii=False))
            sys.exit(0 if valid else 1)
        lines = itertools.chain([first, second] if second else [first], source)
        # Buffered whatever PYTHONUNBUFFERED says (a write per line costs a system call each).
        out = open(sys.stdout.fileno(), "wb", buffering=1 << 16, closefd=False)  # noqa: SIM115
        progress = sys.stderr.isatty()
        all_valid, count = True, 0
        stripped = (line.rstrip("\n") for line in lines)
        try:
            for data, valid, many in _results(evaluator, stripped, jobs or default_jobs(), changes):
                out.write(data)
                all_valid &= valid
                if progress and (count + many) // 1000 > count // 1000:
                    print(f"\r{count + many} answer sets", end="", file=sys.stderr, flush=True)
                count += many
            if progress and count >= 1000:
                print(f"\r{count} answer sets", file=sys.stderr)
            out.flush()
        except BrokenPipeError:
            # The reader went away (... | head -1): what `out` still holds goes to /dev/null, or its
            # finalizer's failed flush is printed (Python 3.13 reports it; 3.12 only with -X dev).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise
        except WorkerStopped as error:  # what was finished goes out, in order; then one line says why
            out.flush()
            click.echo(f"closeness: {error}", err=True)
            sys.exit(2)
    sys.exit(0 if all_valid else 1)
