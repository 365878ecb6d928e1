"""Write bench/RESULTS.md from the latest results (never edited by hand)."""

import json
import time
from pathlib import Path

from bench import batch_bench, engine_bench, http_bench, load, log_bench, memory_bench, nginx_bench
from bench.common import RESULTS_DIR

OUT = Path(__file__).resolve().parent / "RESULTS.md"
SECTIONS = (
    ("engine", "Engine, in-process, per unique case", engine_bench.table),
    ("memory", "Memory, in-process", memory_bench.table),
    ("http", "HTTP, real gunicorn on 127.0.0.1 (wrk)", http_bench.table),
    ("load", "Load: 64 connections of unique cases", load.table),
    ("batch", "Batch evaluation: closeness evaluate FILE.jsonl", batch_bench.table),
    ("log", "Decision log on PostgreSQL (spool), and PostgreSQL frozen under load", log_bench.table),
    ("nginx", "nginx in front of two instances: slow clients, an instance killed", nginx_bench.table),
)


def _targets(results: dict) -> list[str]:
    lines = []

    def check(ok, text):
        lines.append(f"- {'met' if ok else '**not met**'}: {text}")

    if "engine" in results:
        ratios = results["engine"]["ratio_to_plain_python"]
        check(
            ratios["closeness_engine"] <= 25,
            f"engine ≤ 25× plain Python ({ratios['closeness_engine']:.1f}×; "
            f"with the explained result {ratios['closeness_decide']:.1f}×)",
        )
        naive = results["engine"]["microseconds_per_case"]["naive_durable_rules"]
        ours = results["engine"]["microseconds_per_case"]
        check(
            naive / ours["closeness_engine"] >= 4,
            f"≥ 4× faster than the naive durable_rules integration "
            f"(engine {naive / ours['closeness_engine']:.1f}×; with the explained result "
            f"{naive / ours['closeness_decide']:.1f}×)",
        )
        check(
            results["engine"]["startup_seconds"] < 1,
            f"startup under 1 s ({results['engine']['startup_seconds']:.3f} s)",
        )
    if "memory" in results:
        growth = results["memory"]["growth_after_warmup"]
        check(abs(growth) <= 0.05, f"RSS flat within 5% over 200,000 evaluations ({growth * 100:+.2f}%)")
    if "http" in results:
        labels = results["http"]["setup"]["baselines"]
        for setup, measured in results["http"]["setups"].items():
            for baseline, ratio in measured["ratios"].items():
                check(
                    ratio["throughput"] >= 0.8,
                    f"{setup}: POST ≥ 0.8× the throughput of {labels[baseline]} "
                    f"({ratio['throughput']:.2f}×; {http_bench.ratio_spread(ratio)})",
                )
                check(
                    ratio["p99"] <= 2, f"{setup}: p99 ≤ 2× that of {labels[baseline]} ({ratio['p99']:.2f}×)"
                )
    if "load" in results:
        load_result = results["load"]
        clean = not (
            load_result["socket_errors"] or load_result["non_2xx"] or load_result["workers_restarted"]
        )
        check(clean, f"no failure with 64 connections ({load_result['requests']:,} requests)")
    if "batch" in results:
        ratio = results["batch"]["ratio_to_plain_python"]
        check(
            ratio["closeness_evaluate"] <= 2,
            f"batch ≤ 2× plain Python doing the same JSONL job ({ratio['closeness_evaluate']:.2f}×; "
            f"with 2 jobs {ratio['closeness_evaluate_2_jobs']:.2f}×)",
        )
    if "log" in results:
        log_result = results["log"]
        freeze = log_result["freeze"]
        check(
            log_result["throughput_ratio"] >= 0.9,
            "decision log on PostgreSQL ≥ 0.9× the throughput with the log off "
            f"({log_result['throughput_ratio']:.2f}×)",
        )
        check(
            freeze["p99_ratio"] <= 2 and freeze["client_errors"] == 0,
            f"PostgreSQL frozen {freeze['seconds']} s under load: p99 ≤ 2× ({freeze['p99_ratio']:.2f}×), "
            f"0 client errors ({freeze['client_errors']})",
        )
        check(
            freeze["lost"] == 0,
            f"every acknowledged decision in the database after thawing ({freeze['rows_total']:,} of "
            f"{freeze['answered_total']:,})",
        )
    if "nginx" in results:
        nginx = results["nginx"]
        check(
            nginx["p99_ratio"] <= 2 and nginx["slow_errors"] == 0,
            f"50 slow-header clients through nginx: p99 ≤ 2× a quiet run ({nginx['p99_ratio']:.2f}×), "
            f"0 errors ({nginx['slow_errors']})",
        )
        check(
            nginx["kill_errors"] == 0,
            f"one of two instances killed under load: 0 errors ({nginx['kill_errors']})",
        )
    return lines


def main() -> None:
    results = {
        name: json.loads((RESULTS_DIR / f"{name}.json").read_text())
        for name, _, _ in SECTIONS
        if (RESULTS_DIR / f"{name}.json").exists()
    }
    any_result = next(iter(results.values()))
    machine = any_result["machine"]
    written = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    parts = [
        "# Benchmark results",
        "",
        "Generated by `make bench` / `make load` (bench/report.py); do not edit by hand. Ratios are measured "
        "side by side in one run; absolute times on this noisy 2-core machine are only context.",
        "",
        f"Machine: {machine['cpus']} × {machine['cpu']}; Python {machine['python']}; durable-rules "
        f"{machine['durable_rules']}; {machine['platform']}. Written {written}.",
        "",
        "## Targets",
        "",
        *_targets(results),
    ]
    for name, title, table in SECTIONS:
        if name in results:
            parts += ["", f"## {title}", "", table(results[name])]
    OUT.write_text("\n".join(parts) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
