"""Instructions per operation, counted by valgrind's callgrind, for three in-process paths.

- decide: `Evaluator.decide` on one answer set (validation, the engine, the explained result);
- wsgi: one POST /v1/assessments with a JSON body through the WSGI callable of the app
  `service.create_app()` builds, called directly with a prepared environ (no server, no socket);
- batch_line: one line of `closeness evaluate FILE.jsonl` (service/cli/evaluate.py's per-line
  function: strict parsing, the decision, the JSON line out).

Method: a small driver (this module with --driver) runs under `valgrind --tool=callgrind
--callgrind-out-file=...` once doing no operation and once per path doing N operations. Every run
does the same imports, builds the same app and evaluator, prepares the same answer sets in every
form (dicts, request environs, JSON lines) and runs the same warm-up through all three paths, on
other answer sets, so that caches are filled the same way in every run; then it runs N operations
of one path, or none. (Ir(N) - Ir(0)) / N is the count per operation. Callgrind's instrumentation
is switched on just before that loop and off just after it (CALLGRIND_START/STOP_INSTRUMENTATION,
from a tiny C helper compiled here with gcc): imports, startup and warm-up would cancel out in the
difference anyway, and uninstrumented they run about 7 times faster. The answer sets are distinct,
drawn with fixed seeds from bench.common.unique_cases; string hashing is fixed (PYTHONHASHSEED=0);
the settings are the defaults (no CLOSENESS_* variable but a temporary decision spool folder).

`python -m bench.instructions [--repeat R]` measures (R times, to show how repeatable the counts
are), writes results/instructions.json and prints the table.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.common import machine, save

PATHS = {  # name: what one operation is
    "decide": "Evaluator.decide on one answer set",
    "wsgi": "POST /v1/assessments through the Flask app's WSGI callable",
    "batch_line": "one line of closeness evaluate FILE.jsonl (its per-line function)",
    "bare_wsgi": "the same body to the bare Flask app's one POST route (bench/bare_app.py), for scale",
}
OPERATIONS, WARMUP = 200, 600  # N operations per measured run; warm-up answer sets (all paths)
SEED = 20_240  # the answer sets: WARMUP for the warm-up, then OPERATIONS measured, all distinct
TOGGLE_C = """#include <valgrind/callgrind.h>
void closeness_bench_start(void) { CALLGRIND_START_INSTRUMENTATION; }
void closeness_bench_stop(void) { CALLGRIND_STOP_INSTRUMENTATION; }
"""


# --- the driver: runs inside valgrind -------------------------------------------------------------


def _toggles(library: str):
    """start(), stop(): callgrind's instrumentation on and off (no-ops outside valgrind, or natively)."""
    if library == "-":
        return (lambda: None), (lambda: None)
    import ctypes

    toggle = ctypes.CDLL(library)
    return toggle.closeness_bench_start, toggle.closeness_bench_stop


def _driver(path: str, count: int, operations: int, library: str) -> dict:
    """Build, prepare `operations` measured answer sets in every form, warm up, run `count` of `path`
    with callgrind's instrumentation on for exactly that loop."""
    from werkzeug.test import EnvironBuilder

    from bench import bare_app
    from bench.common import unique_cases
    from service import create_app
    from service.cli import evaluate
    from service.core.decision import Resolver

    start, stop = _toggles(library)
    app = create_app()
    evaluator = evaluate.load_evaluator(None)
    evaluate._worker_evaluator, evaluate._worker_changes = evaluator, False

    cases = unique_cases(WARMUP + operations, SEED)
    lines = [json.dumps(answers) for answers in cases]  # as in a JSON Lines file
    environs = [
        EnvironBuilder(
            path="/v1/assessments", method="POST", data=line.encode(), content_type="application/json"
        ).get_environ()
        for line in lines
    ]
    bare_environs = [
        EnvironBuilder(
            path=bare_app.PATH, method="POST", data=line.encode(), content_type="application/json"
        ).get_environ()
        for line in lines
    ]
    statuses: list[str] = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def request(environ: dict, wsgi=app) -> bytes:
        response = wsgi(environ, start_response)
        try:
            return b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()

    def one_batch_line(line: str) -> bytes:
        data, valid = evaluate._line_result(line)
        if not valid:
            statuses.append("invalid line")
        return data

    run = {
        "decide": lambda n: evaluator.decide(cases[n]),
        "wsgi": lambda n: request(environs[n]),
        "batch_line": lambda n: one_batch_line(lines[n]),
        "bare_wsgi": lambda n: request(bare_environs[n], bare_app.app),
    }
    for n in range(WARMUP):  # the same warm-up in every run: every path, other answer sets
        for name in PATHS:
            run[name](n)
    measured, first = run.get(path), WARMUP
    cache_before = Resolver.levels_part.cache_info()
    start()
    for n in range(first, first + count):
        measured(n)
    stop()
    cache_after = Resolver.levels_part.cache_info()
    bad = [status for status in statuses if not status.startswith("200")]
    return {
        "path": path,
        "count": count,
        "failures": len(bad),
        "structure_cache_hits": cache_after.hits - cache_before.hits,
        "structure_cache_misses": cache_after.misses - cache_before.misses,
    }


# --- the measurement: runs the driver under callgrind ---------------------------------------------


def _environment(folder: Path) -> dict:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CLOSENESS_") and k not in ("PROMETHEUS_MULTIPROC_DIR", "PYTHONHASHSEED")
    }
    environment.update(
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",  # the native check wrote them: every run reads the same bytecode
        CLOSENESS_DECISION_SPOOL_DIR=str(folder / "spool"),
    )
    return environment


def _driver_command(path: str, count: int, operations: int, library: str = "-") -> list[str]:
    return [
        sys.executable,
        "-m",
        "bench.instructions",
        "--driver",
        path,
        str(count),
        str(operations),
        library,
    ]


def _toggle_library(folder: Path) -> Path:
    """The C helper that switches callgrind's instrumentation (valgrind's header, gcc)."""
    if shutil.which("valgrind") is None:
        raise RuntimeError("valgrind is not installed (Debian package 'valgrind')")
    source, library = folder / "toggle.c", folder / "toggle.so"
    source.write_text(TOGGLE_C)
    compiled = subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O2", "-o", str(library), str(source)], capture_output=True, text=True
    )
    if compiled.returncode != 0:
        raise RuntimeError(f"could not compile the callgrind toggle (gcc, valgrind.h): {compiled.stderr}")
    return library


def _last_json(text: str) -> dict:
    return json.loads(text.strip().splitlines()[-1])


def _callgrind(folder: Path, library: Path, label: str, path: str, count: int, operations: int):
    """(Ir, the driver's report) of one driver run under callgrind."""
    out, log = folder / f"{label}.callgrind", folder / f"{label}.valgrind.log"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        f"--log-file={log}",
        *_driver_command(path, count, operations, str(library)),
    ]
    run = subprocess.run(command, capture_output=True, text=True, env=_environment(folder), timeout=600)
    if run.returncode != 0:
        raise RuntimeError(f"{label} under callgrind failed: {run.stderr.strip()[-2000:]}")
    report = _last_json(run.stdout)
    if report["failures"]:
        raise RuntimeError(f"{label}: {report['failures']} operations did not answer 200")
    # "totals:" is what was collected (with --instr-atstart=no, "summary:" may say 0).
    totals = re.search(r"^totals: (\d+)", out.read_text(), re.MULTILINE)
    return int(totals.group(1)), report


def measure(operations: int = OPERATIONS) -> dict:
    """One measurement: the empty run and one run per path, two at a time (it counts, not times)."""
    with tempfile.TemporaryDirectory(prefix="closeness-callgrind-") as name:
        folder = Path(name)
        library = _toggle_library(folder)
        # Natively first: every path answers as it should, and every module's bytecode is written.
        check = subprocess.run(
            _driver_command("all", operations, operations),
            capture_output=True,
            text=True,
            env={**_environment(folder), "PYTHONDONTWRITEBYTECODE": ""},
            timeout=300,
        )
        if check.returncode != 0 or _last_json(check.stdout)["failures"]:
            raise RuntimeError(f"the driver failed natively: {(check.stderr or check.stdout)[-2000:]}")
        runs = {"none": ("none", 0)} | {path: (path, operations) for path in PATHS}
        with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
            futures = {
                label: pool.submit(_callgrind, folder, library, label, path, count, operations)
                for label, (path, count) in runs.items()
            }
            counted = {label: future.result() for label, future in futures.items()}
    empty = counted["none"][0]
    return {
        "instructions_per_operation": {path: (counted[path][0] - empty) / operations for path in PATHS},
        "instructions_counted": {label: ir for label, (ir, _) in counted.items()},
        "structure_cache": {
            path: {
                "hits": counted[path][1]["structure_cache_hits"],
                "misses": counted[path][1]["structure_cache_misses"],
            }
            for path in PATHS
        },
    }


def _valgrind_version() -> str:
    return subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()


def main(repeat: int = 1, operations: int = OPERATIONS) -> dict:
    started = time.perf_counter()
    measurements = [measure(operations) for _ in range(repeat)]
    spread = {
        path: (max(values) - min(values)) / min(values)
        for path in PATHS
        for values in [[m["instructions_per_operation"][path] for m in measurements]]
    }
    result = {
        "machine": machine(),
        "valgrind": _valgrind_version(),
        "setup": {
            "operations": operations,
            "warmup": WARMUP,
            "seed": SEED,
            "paths": PATHS,
            "method": "(Ir(N operations) - Ir(0 operations)) / N under callgrind, same imports and warm-up, "
            "instrumentation on for the measured loop only",
            "python_hash_seed": 0,
        },
        "instructions_per_operation": measurements[0]["instructions_per_operation"],
        "measurements": measurements,
        "repeat_spread": spread if repeat > 1 else None,
        "seconds": time.perf_counter() - started,
    }
    save("instructions", result)
    return result


BEFORE = Path(__file__).resolve().parent / "results" / "instructions_before.json"


def table(result: dict) -> str:
    per_op, setup = result["instructions_per_operation"], result["setup"]
    # The counts before a change that was made to be faster, measured the same way (kept by hand).
    before = json.loads(BEFORE.read_text()) if BEFORE.exists() else None
    old = before["instructions_per_operation"] if before else {}
    rows = [
        "| path | instructions per operation | before "
        + (f"({before['commit']})" if before else "")
        + " | change | resolver cache hits |",
        "|---|---|---|---|---|",
    ]
    first = result["measurements"][0]
    for path, label in setup["paths"].items():
        hits, misses = first["structure_cache"][path]["hits"], first["structure_cache"][path]["misses"]
        was = old.get(path)
        change = f"{(per_op[path] - was) / was * 100:+.1f}%" if was else ""
        rows.append(
            f"| {path}: {label} | {per_op[path]:,.0f} | {f'{was:,.0f}' if was else ''} | {change} "
            f"| {hits} of {hits + misses} |"
        )
    if before:
        rows.append(f"\nBefore: {before['note']}, commit {before['commit']}.")
    rows.append(
        f"\n{result['valgrind']}, callgrind: (Ir(N) − Ir(0)) / N with N = {setup['operations']} distinct "
        f"answer sets, after the same warm-up of {setup['warmup']} other answer sets through every path "
        "in both runs; PYTHONHASHSEED=0. Resolver cache hits: how many of the N decisions found their "
        "concern, outcome and level rules already resolved."
    )
    if result.get("repeat_spread"):
        spread = ", ".join(f"{path} {value * 100:.2f}%" for path, value in result["repeat_spread"].items())
        rows.append(f"Spread over {len(result['measurements'])} measurements: {spread}.")
    return "\n".join(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="measure R times, to show the spread")
    parser.add_argument("--driver", nargs=4, help=argparse.SUPPRESS)  # PATH COUNT OPERATIONS LIBRARY
    arguments = parser.parse_args()
    if arguments.driver:
        path, count, operations, library = arguments.driver
        if path == "all":  # the native check: every path, all answer sets
            reports = [_driver(name, int(count), int(operations), library) for name in PATHS]
            print(json.dumps({"failures": sum(r["failures"] for r in reports)}))
        else:
            print(json.dumps(_driver(path, int(count), int(operations), library)))
        sys.exit(0)
    outcome = main(arguments.repeat)
    print(table(outcome))
    print(f"Python {platform.python_version()}; {outcome['seconds']:.0f} s")
