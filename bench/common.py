"""Shared helpers: machine facts, unique cases, timing, result files."""

import json
import os
import platform
import random
import statistics
import time
from importlib.metadata import version
from pathlib import Path

from tests.answers import random_answers

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "durable_rules": version("durable-rules"),
        "platform": platform.platform(),
    }


def unique_cases(count: int, seed: int) -> list[dict]:
    """`count` distinct answer sets (all questions present)."""
    rng, seen, cases = random.Random(seed), set(), []
    while len(cases) < count:
        answers = random_answers(rng)
        key = json.dumps(answers, sort_keys=True)
        if key not in seen:
            seen.add(key)
            cases.append(answers)
    return cases


def interleaved_timings(variants: dict, cases: list, rounds: int) -> dict:
    """Median microseconds per case for each variant; variants take turns within every round."""
    samples: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for round_number in range(rounds):
        order = names[round_number % len(names) :] + names[: round_number % len(names)]
        for name in order:
            run = variants[name]
            started = time.perf_counter()
            for case in cases:
                run(case)
            samples[name].append((time.perf_counter() - started) / len(cases) * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def save(name: str, data: dict) -> Path:
    """results/NAME.json; every result records the machine and the Python it was measured with (the
    benchmarks' subprocesses run this same interpreter, sys.executable), and when."""
    data = {"machine": machine(), **data}
    data["machine"].setdefault("python", platform.python_version())
    data.setdefault("measured", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
