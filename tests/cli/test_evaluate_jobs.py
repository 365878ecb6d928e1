"""closeness evaluate's worker processes: the same output as one process, bounded read-ahead, and a
killed worker that stops the command with one line."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from tests.answers import random_answers
from tests.commands import closeness


def test_by_default_workers_share_a_long_input_and_agree_with_one_process(tmp_path):
    # More than one chunk (CHUNK answer sets) goes to the worker processes; the output is the same.
    from service.cli.evaluate import CHUNK, default_jobs

    rng = random.Random(5)
    lines = [json.dumps(random_answers(rng)) for _ in range(CHUNK * 2 + 7)]
    lines[CHUNK + 3] = '{"ready_to_share": "lots"}'  # an invalid line in the second chunk
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n")
    default, one = closeness("evaluate", str(path)), closeness("evaluate", str(path), "--jobs", "1")
    assert default.returncode == one.returncode == 1
    assert default.stdout == one.stdout and len(default.stdout.splitlines()) == len(lines)
    assert 1 <= default_jobs() <= 8


def test_workers_read_ahead_a_bounded_number_of_chunks():
    # Streamed in constant memory: while the first output is written, at most two chunks per worker
    # (and the two read to decide whether to start workers) have been taken from the input.
    from service.cli import evaluate

    evaluator = evaluate.load_evaluator(None)
    rng = random.Random(6)
    sample = [json.dumps(random_answers(rng)) for _ in range(50)]
    taken = [0]

    def endless():
        while True:
            taken[0] += 1
            yield sample[taken[0] % len(sample)]

    outputs = evaluate._results(evaluator, endless(), jobs=2)
    for number, (_data, _valid, many) in enumerate(outputs):
        assert many == evaluate.CHUNK
        assert taken[0] <= (2 * 2 + 2) * evaluate.CHUNK + number * evaluate.CHUNK
        if number == 5:
            break
    outputs.close()


def test_a_killed_worker_stops_the_command_with_one_line_instead_of_a_wait(baseline):
    # An input that never ends (a pipe kept full); once a worker is killed, the command must end at
    # once with exit 2 and one line, the finished results written, never waiting for the lost chunk.
    import signal
    import threading
    import time

    command = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "evaluate", "-", "--jobs", "2"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    line = (json.dumps(baseline) + "\n").encode()

    def feed():
        try:
            while command.poll() is None:
                command.stdin.write(line * 200)
        except (BrokenPipeError, ValueError, OSError):
            pass

    threading.Thread(target=feed, daemon=True).start()
    children = Path(f"/proc/{command.pid}/task/{command.pid}/children")
    deadline = time.monotonic() + 60
    while not children.read_text().split():
        assert command.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)  # the workers are deciding
    os.kill(int(children.read_text().split()[0]), signal.SIGKILL)
    try:
        code = command.wait(timeout=60)
    finally:
        command.kill()
        errors = command.stderr.read().decode()
        command.stderr.close()
        try:
            command.stdin.close()
        except OSError:  # the feeder's last write may be cut off
            pass
    assert code == 2
    assert errors.startswith("closeness: a worker process stopped") and "Traceback" not in errors


def test_outputs_come_back_through_shared_memory_or_else_the_pipe_and_read_the_same(monkeypatch):
    # A worker writes a chunk's output into memory it shares with the command; one too big for its slot
    # comes back by the pipe. Either way the output is one process's, byte for byte, in input order.
    from service.cli import evaluate

    evaluator = evaluate.load_evaluator(None)
    rng = random.Random(8)
    lines = [json.dumps(random_answers(rng)) for _ in range(evaluate.CHUNK * 3 + 5)]
    lines[evaluate.CHUNK + 1] = '{"ready_to_share": 9}'

    def run(jobs):
        return [
            (type(data), bytes(data), valid)
            for data, valid, _ in evaluate._results(evaluator, iter(lines), jobs)
        ]

    one = run(1)
    shared = run(2)
    assert {kind for kind, _, _ in shared} == {memoryview}
    assert b"".join(d for _, d, _ in shared) == b"".join(d for _, d, _ in one)
    assert [v for _, _, v in shared] == [v for _, _, v in one] == [True, False, True, True]
    monkeypatch.setattr(evaluate, "SLOT_BYTES", 1000)  # no output fits: every one takes the pipe
    piped = run(2)
    assert {kind for kind, _, _ in piped} == {bytes}
    assert b"".join(d for _, d, _ in piped) == b"".join(d for _, d, _ in one)


def test_a_kept_view_of_a_shared_output_fails_instead_of_reading_later_answers():
    # A slot is reused for a later chunk (other people's answers): once the consumer moves on, the view
    # it was given is released, so keeping it raises instead of showing what came after.
    import pytest

    from service.cli import evaluate

    evaluator = evaluate.load_evaluator(None)
    rng = random.Random(9)
    lines = [json.dumps(random_answers(rng)) for _ in range(evaluate.CHUNK * 6)]
    kept = list(evaluate._results(evaluator, iter(lines), 2))
    assert len(kept) == 6 and all(isinstance(data, memoryview) for data, _, _ in kept)
    for data, _, _ in kept:
        with pytest.raises(ValueError, match="released"):
            bytes(data)
