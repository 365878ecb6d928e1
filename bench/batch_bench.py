"""Batch evaluation (closeness evaluate FILE.jsonl) against the plain-Python policy doing the same job.

Both read the same JSON Lines file, check every answer set strictly, decide, and write one JSON
line per answer set. Reported as a ratio per answer set, measured in the same run.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, save, unique_cases

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


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(lines: int = LINES, rounds: int = ROUNDS) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.jsonl"
        path.write_text("".join(json.dumps(c) + "\n" for c in unique_cases(lines, seed=7)))
        commands = {
            "plain_python_policy": [sys.executable, "-c", PLAIN, str(path)],
            "closeness_evaluate": [sys.executable, "-m", "service.cli", "evaluate", str(path)],
            # what each result depends on (would_change), against the same batch without it
            "closeness_evaluate_changes": [
                sys.executable,
                "-m",
                "service.cli",
                "evaluate",
                str(path),
                "--changes",
            ],
            "closeness_evaluate_2_jobs": [
                sys.executable,
                "-m",
                "service.cli",
                "evaluate",
                str(path),
                "--jobs",
                "2",
            ],
        }
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):  # interleaved, so a noisy moment hits every variant alike
            for name, command in commands.items():
                samples[name].append(_seconds(command))
    best = {name: min(values) for name, values in samples.items()}
    micros = {name: seconds / lines * 1e6 for name, seconds in best.items()}
    result = {
        "machine": machine(),
        "changes_cost_ratio": micros["closeness_evaluate_changes"] / micros["closeness_evaluate"],
        "lines": lines,
        "rounds": rounds,
        "microseconds_per_answer_set": micros,
        "ratio_to_plain_python": {
            name: value / micros["plain_python_policy"] for name, value in micros.items()
        },
    }
    save("batch", result)
    return result


def table(result: dict) -> str:
    rows = ["| JSONL job | µs per answer set | ratio to plain Python |", "|---|---|---|"]
    for name, micros in result["microseconds_per_answer_set"].items():
        rows.append(
            f"| {name.replace('_', ' ')} | {micros:.1f} | {result['ratio_to_plain_python'][name]:.2f}× |"
        )
    rows.append(
        f"\n{result['lines']:,} distinct answer sets, best of {result['rounds']} rounds, whole commands. "
        f"`--changes` (what each result depends on) costs {result['changes_cost_ratio']:.2f}× the batch "
        "without it, measured in the same run."
    )
    return "\n".join(rows)


if __name__ == "__main__":
    outcome = main()
    print(json.dumps(outcome["ratio_to_plain_python"], indent=2))
