"""POST /v1/assessments (unique cases) against a trivial JSON endpoint (/livez), same server, same run."""

import json
import statistics

from bench import wrk
from bench.common import machine, save
from bench.server import Server

ROUNDS, SECONDS = 3, 6
# One worker shows the cost per request with nothing else in play; two workers with 64 connections
# use the whole machine.
SETUPS = {"1 worker, 16 connections": (1, 16), "2 workers, 64 connections": (2, 64)}


def _measure(workers: int, connections: int) -> dict:
    server = Server(workers=workers)
    try:
        wrk.run(server.url + "/v1/assessments", 2, connections, script=wrk.LUA)  # warm up both paths
        wrk.run(server.url + "/livez", 2, connections)
        rss_before = server.worker_rss_kib()
        runs = {"assessments": [], "trivial": []}
        for _ in range(ROUNDS):  # alternate, so drift on a noisy machine hits both alike
            runs["assessments"].append(
                wrk.run(server.url + "/v1/assessments", SECONDS, connections, script=wrk.LUA)
            )
            runs["trivial"].append(wrk.run(server.url + "/livez", SECONDS, connections))
        rss_after = server.worker_rss_kib()
    finally:
        server.stop()

    def median(name, key):
        return statistics.median(run[key] for run in runs[name])

    return {
        "workers": workers,
        "connections": connections,
        "runs": runs,
        "throughput_ratio": median("assessments", "requests_per_second")
        / median("trivial", "requests_per_second"),
        "p99_ratio": median("assessments", "p99_ms") / median("trivial", "p99_ms"),
        "errors": sum(r["socket_errors"] + r["non_2xx"] for rs in runs.values() for r in rs),
        "worker_rss_kib": {"before": rss_before, "after": rss_after},
    }


def main() -> dict:
    result = {
        "machine": machine(),
        "setup": {
            "rounds": ROUNDS,
            "seconds": SECONDS,
            "worker_class": "sync (default)",
            "trivial_endpoint": "GET /livez",
            "cases": "a different answer set on every request",
        },
        "setups": {name: _measure(*args) for name, args in SETUPS.items()},
    }
    save("http", result)
    return result


def table(result: dict) -> str:
    rows = ["| setup | endpoint | req/s (median) | p50 ms | p99 ms |", "|---|---|---|---|---|"]
    for setup, measured in result["setups"].items():
        for name, label in (("assessments", "POST /v1/assessments"), ("trivial", "GET /livez")):
            runs = measured["runs"][name]
            rows.append(
                f"| {setup} | {label} | {statistics.median(r['requests_per_second'] for r in runs):.0f} | "
                f"{statistics.median(r['p50_ms'] for r in runs):.2f} | "
                f"{statistics.median(r['p99_ms'] for r in runs):.2f} |"
            )
    rows.append("")
    for setup, measured in result["setups"].items():
        rows.append(
            f"- {setup}: throughput ratio **{measured['throughput_ratio']:.2f}×**, "
            f"p99 ratio **{measured['p99_ratio']:.2f}×**, errors {measured['errors']}"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    outcome = main()
    print(table(outcome))
    print(json.dumps({k: (v["throughput_ratio"], v["p99_ratio"]) for k, v in outcome["setups"].items()}))
