"""Write bench/RESULTS.md from the latest results (never edited by hand)."""

import json
import time
from pathlib import Path

from bench import (
    batch_bench,
    engine_bench,
    http_bench,
    instructions,
    load,
    log_bench,
    memory_bench,
    nginx_bench,
)
from bench.common import RESULTS_DIR

OUT = Path(__file__).resolve().parent / "RESULTS.md"
SECTIONS = (
    ("engine", "Engine, in-process, per unique case", engine_bench.table),
    ("memory", "Memory, in-process", memory_bench.table),
    ("http", "HTTP, real gunicorn on 127.0.0.1 (wrk)", http_bench.table),
    ("load", "Load: 64 connections of unique cases", load.table),
    ("batch", "Batch evaluation: closeness evaluate FILE.jsonl", batch_bench.table),
    ("instructions", "Instructions per operation (valgrind's callgrind), in-process", instructions.table),
    ("log", "Decision log on PostgreSQL (spool), and PostgreSQL frozen under load", log_bench.table),
    ("nginx", "nginx in front of two instances: slow clients, an instance killed", nginx_bench.table),
)


def _check(ok: bool, text: str) -> list[tuple[bool, str]]:
    return [(bool(ok), text)]


def _targets(results: dict) -> list[str]:
    """Each section's targets, met or not; with its Python when the sections were not all measured
    with one."""
    pythons = {name: result.get("machine", {}).get("python", "unknown") for name, result in results.items()}
    lines = []
    for section, targets in TARGETS.items():
        if section not in results:
            continue
        where = f" [Python {pythons[section]}]" if len(set(pythons.values())) > 1 else ""
        for ok, text in targets(results[section]):
            lines.append(f"- {'met' if ok else '**not met**'}: {text}{where}")
    return lines


def _engine_targets(result: dict) -> list[tuple[bool, str]]:
    found = []
    ratios = result["ratio_to_plain_python"]
    found += _check(
        ratios["closeness_engine"] <= 25,
        f"engine ≤ 25× plain Python ({ratios['closeness_engine']:.1f}×; "
        f"with the explained result {ratios['closeness_decide']:.1f}×)",
    )
    naive = result["microseconds_per_case"]["naive_durable_rules"]
    ours = result["microseconds_per_case"]
    found += _check(
        naive / ours["closeness_engine"] >= 4,
        f"in process, ≥ 4× faster than the naive durable_rules integration "
        f"(engine {naive / ours['closeness_engine']:.1f}×; with the explained result "
        f"{naive / ours['closeness_decide']:.1f}×)",
    )
    found += _check(
        result["startup_seconds"] < 1,
        f"startup under 1 s ({result['startup_seconds']:.3f} s)",
    )
    return found


def _memory_targets(result: dict) -> list[tuple[bool, str]]:
    found = []
    growth = result["growth_after_warmup"]
    found += _check(
        abs(growth) <= 0.05, f"RSS flat within 5% over 200,000 evaluations ({growth * 100:+.2f}%)"
    )
    return found


def _http_targets(result: dict) -> list[tuple[bool, str]]:
    found = []
    labels = result["setup"]["baselines"]
    target = result["setup"].get("target_baseline")  # older results: every baseline
    for setup, measured in result["setups"].items():
        for baseline, ratio in measured["ratios"].items():
            if target and baseline != target:
                continue  # the other baselines are context, in the HTTP section
            against = "the bare Flask JSON app" if baseline == "bare_flask" else labels[baseline]
            found += _check(
                ratio["throughput"] >= 0.8,
                f"{setup}: POST /v1/assessments ≥ 0.8× the throughput of {against} "
                f"({ratio['throughput']:.2f}×, median of the paired rounds; "
                f"{http_bench.ratio_spread(ratio)})",
            )
            found += _check(ratio["p99"] <= 2, f"{setup}: p99 ≤ 2× that of {against} ({ratio['p99']:.2f}×)")
    return found


def _load_targets(result: dict) -> list[tuple[bool, str]]:
    found = []
    load_result = result
    clean = not (load_result["socket_errors"] or load_result["non_2xx"] or load_result["workers_restarted"])
    found += _check(clean, f"no failure with 64 connections ({load_result['requests']:,} requests)")
    return found


def _batch_targets(result: dict) -> list[tuple[bool, str]]:
    found = []
    ratio = result["ratio_to_plain_python"]
    found += _check(
        ratio["closeness_evaluate"] <= 2,
        f"batch ≤ 2× plain Python doing the same JSONL job ({ratio['closeness_evaluate']:.2f}×; "
        f"with one process {ratio['closeness_evaluate_1_job']:.2f}×)",
    )
    naive = result.get("naive_over_closeness_evaluate")
    if naive is not None:
        found += _check(
            naive >= 4,
            "batch ≥ 4× faster than a naive durable_rules integration doing the same JSONL job "
            f"(naive durable_rules batch / closeness evaluate: {naive:.2f}×; "
            f"one process against one process: {result['naive_over_one_job']:.2f}×)",
        )
    return found


def _log_targets(result: dict) -> list[tuple[bool, str]]:
    found = []
    log_result = result
    freeze = log_result["freeze"]
    found += _check(
        log_result["throughput_ratio"] >= 0.9,
        "decision log on PostgreSQL ≥ 0.9× the throughput with the log off "
        f"({log_result['throughput_ratio']:.2f}×)",
    )
    found += _check(
        freeze["p99_ratio"] <= 2 and freeze["client_errors"] == 0,
        f"PostgreSQL frozen {freeze['seconds']} s under load: p99 ≤ 2× ({freeze['p99_ratio']:.2f}×), "
        f"0 client errors ({freeze['client_errors']})",
    )
    found += _check(
        freeze["lost"] == 0,
        f"every acknowledged decision in the database after thawing ({freeze['rows_total']:,} of "
        f"{freeze['answered_total']:,})",
    )
    return found


def _nginx_targets(result: dict) -> list[tuple[bool, str]]:
    found = []
    nginx = result
    found += _check(
        nginx["p99_ratio"] <= 2 and nginx["slow_errors"] == 0,
        f"50 slow-header clients through nginx: p99 ≤ 2× a quiet run ({nginx['p99_ratio']:.2f}×), "
        f"0 errors ({nginx['slow_errors']})",
    )
    found += _check(
        nginx["kill_errors"] == 0,
        f"one of two instances killed under load: 0 errors ({nginx['kill_errors']})",
    )
    return found


TARGETS = {
    "engine": _engine_targets,
    "memory": _memory_targets,
    "http": _http_targets,
    "load": _load_targets,
    "batch": _batch_targets,
    "log": _log_targets,
    "nginx": _nginx_targets,
}


def _measured_with(result: dict) -> str:
    """The line under a section's title: the Python (and durable-rules) its figures were measured with."""
    machine = result.get("machine", {})
    line = f"Measured with Python {machine.get('python', 'unknown')}"
    if machine.get("durable_rules"):
        line += f" (durable-rules {machine['durable_rules']})"
    line += f" on {_cpus(machine)}"
    return line + (f", {result['measured']}." if result.get("measured") else ".")


def _cpus(machine: dict) -> str:
    return f"{machine.get('cpus', '?')} × {machine.get('cpu', 'unknown')}"


def main() -> None:
    results = {
        name: json.loads((RESULTS_DIR / f"{name}.json").read_text())
        for name, _, _ in SECTIONS
        if (RESULTS_DIR / f"{name}.json").exists()
    }
    machines = sorted(
        {
            (_cpus(r.get("machine", {})), r.get("machine", {}).get("platform", "unknown"))
            for r in results.values()
        }
    )
    pythons = sorted({result.get("machine", {}).get("python", "unknown") for result in results.values()})
    written = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    parts = [
        "# Benchmark results",
        "",
        "Generated by `make bench` / `make load` (bench/report.py); do not edit by hand. Ratios are measured "
        "side by side in one run; absolute times on this noisy 2-core machine are only context.",
        "",
        ("Machine: " if len(machines) == 1 else "Machines (each section names its own): ")
        + "; ".join(f"{cpus}, {platform}" for cpus, platform in machines)
        + f". Written {written}. Each section says which Python its figures were measured with"
        + (f" (here: {', '.join(pythons)})." if len(pythons) > 1 else f" (all: Python {pythons[0]})."),
        "",
        "## Targets",
        "",
        *_targets(results),
    ]
    for name, title, table in SECTIONS:
        if name in results:
            parts += ["", f"## {title}", "", _measured_with(results[name]), "", table(results[name])]
    OUT.write_text("\n".join(parts) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
