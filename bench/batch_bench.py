"""Batch evaluation (closeness evaluate FILE.jsonl) against two other programs doing the same job.

Every variant is a whole process that reads the same JSON Lines file, checks every answer set
strictly, decides, and writes one JSON line per answer set (to a file, which is then read back):
- the plain-Python policy (tests/policy.py), the floor;
- a naive durable_rules integration (bench/naive_batch.py: the project's strict parsing and
  validation, then bench/naive_peer.py's durable.lang rules with the stock Host, one assert per
  answer set), what a typical integration of the same policy costs;
- `closeness evaluate` as people run it (worker processes for the processors it may use), with
  --jobs 1 (one process, as the naive integration), and with --changes.
Every run's output must give the same recommendation on every line as every other variant's, or
the benchmark stops before any figure is kept. Reported as ratios per answer set, measured in the
same run, best of the interleaved rounds.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, save, unique_cases
from service.cli.evaluate import default_jobs

LINES, ROUNDS = 20000, 3
PLAIN = """
import sys, orjson
from service.core.json_input import parse_json
from tests.policy import decide
out = open(sys.stdout.fileno(), "wb", buffering=1 << 16, closefd=False)
for line in open(sys.argv[1], encoding="utf-8"):
    out.write(orjson.dumps(decide(parse_json(line)) or {"errors": True}) + b"\\n")
out.flush()
"""
EVALUATE = [sys.executable, "-m", "service.cli", "evaluate"]


def _seconds(command: list[str], output: Path) -> float:
    with open(output, "wb") as out, open(output.with_suffix(".stderr"), "wb") as err:
        started = time.perf_counter()
        subprocess.run(command, check=False, stdout=out, stderr=err)
        return time.perf_counter() - started


def recommendations(output: Path) -> list:
    """The recommendation on each output line (None for a line of errors)."""
    with open(output, "rb") as lines:
        return [json.loads(line).get("recommendation") for line in lines]


def _check(name: str, output: Path, expected: list) -> None:
    got = recommendations(output)
    if len(got) != len(expected):
        stderr = output.with_suffix(".stderr").read_text(errors="replace").strip().splitlines()[-3:]
        raise AssertionError(f"{name} wrote {len(got)} lines for {len(expected)} answer sets: {stderr}")
    wrong = [n for n, (ours, theirs) in enumerate(zip(got, expected, strict=True), 1) if ours != theirs]
    if wrong:
        raise AssertionError(f"{name} disagrees with closeness evaluate on lines {wrong[:10]}")


def main(lines: int = LINES, rounds: int = ROUNDS) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.jsonl"
        path.write_text("".join(json.dumps(c) + "\n" for c in unique_cases(lines, seed=7)))
        commands = {
            "plain_python_policy": [sys.executable, "-c", PLAIN, str(path)],
            "naive_durable_rules": [sys.executable, "-m", "bench.naive_batch", str(path)],
            # as people run it: as many worker processes as the processors it may use (here: two)
            "closeness_evaluate": [*EVALUATE, str(path)],
            # one process: the cost per answer set on one processor
            "closeness_evaluate_1_job": [*EVALUATE, str(path), "--jobs", "1"],
            # what each result depends on (would_change), against the same batch without it
            "closeness_evaluate_changes": [*EVALUATE, str(path), "--changes"],
        }
        # The reference: closeness evaluate's recommendations, every one of them a decision.
        reference_out = Path(folder) / "reference.jsonl"
        _seconds(commands["closeness_evaluate"], reference_out)
        expected = recommendations(reference_out)
        if len(expected) != lines or None in expected:
            raise AssertionError("closeness evaluate did not decide every answer set of the benchmark")
        names = list(commands)
        samples: dict[str, list[float]] = {name: [] for name in names}
        for round_number in range(rounds):  # interleaved, so a noisy moment hits every variant alike
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                output = Path(folder) / f"{name}.jsonl"
                samples[name].append(_seconds(commands[name], output))
                _check(name, output, expected)  # a timing counts only when it agrees
                output.unlink()
    best = {name: min(values) for name, values in samples.items()}
    micros = {name: seconds / lines * 1e6 for name, seconds in best.items()}
    result = {
        "machine": machine(),
        "changes_cost_ratio": micros["closeness_evaluate_changes"] / micros["closeness_evaluate"],
        "naive_over_closeness_evaluate": micros["naive_durable_rules"] / micros["closeness_evaluate"],
        "naive_over_one_job": micros["naive_durable_rules"] / micros["closeness_evaluate_1_job"],
        "jobs": default_jobs(),
        "lines": lines,
        "rounds": rounds,
        "agreement": "every run of every variant gave closeness evaluate's recommendation on every line",
        "microseconds_per_answer_set": micros,  # every variant, the naive integration included
        "ratio_to_plain_python": {  # the plain-Python floor and Closeness's variants
            name: value / micros["plain_python_policy"]
            for name, value in micros.items()
            if name != "naive_durable_rules"
        },
    }
    save("batch", result)
    return result


def table(result: dict) -> str:
    rows = ["| JSONL job | µs per answer set | ratio to plain Python |", "|---|---|---|"]
    plain = result["microseconds_per_answer_set"]["plain_python_policy"]
    for name, micros in result["microseconds_per_answer_set"].items():
        rows.append(f"| {name.replace('_', ' ')} | {micros:.1f} | {micros / plain:.2f}× |")
    agreed = "writing their results to a file; every run agreed on every line's recommendation"
    rows.append(
        f"\n{result['lines']:,} distinct answer sets, best of {result['rounds']} rounds, whole commands"
        + (f" {agreed}." if "agreement" in result else ".")
    )
    if "naive_over_closeness_evaluate" in result:
        jobs = f" ({result['jobs']} worker processes, its default here)" if "jobs" in result else ""
        rows.append(
            f"naive durable_rules batch / closeness evaluate{jobs}: "
            f"**{result['naive_over_closeness_evaluate']:.2f}×** (the time per answer set)  "
        )
    if "naive_over_one_job" in result:
        rows.append(
            "naive durable_rules batch / closeness evaluate --jobs 1 (one process, as the naive batch): "
            f"**{result['naive_over_one_job']:.2f}×**  "
        )
    rows.append(
        f"`--changes` (what each result depends on) costs {result['changes_cost_ratio']:.2f}× the batch "
        "without it, measured in the same run."
    )
    return "\n".join(rows)


if __name__ == "__main__":
    outcome = main()
    print(table(outcome))
