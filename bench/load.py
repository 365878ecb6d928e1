"""Bounded load test on 127.0.0.1: 64 connections of unique cases, errors and worker memory reported.

CLOSENESS_LOAD_SECONDS sets the duration (default 60 s, about 200,000 requests on a 2-core machine).
Exits 1 on any error, non-2xx answer or worker restart.
"""

import json
import os
import sys

from bench import wrk
from bench.common import machine, save
from bench.server import Server

CONNECTIONS, WORKERS = 64, 2


def main() -> dict:
    seconds = int(os.environ.get("CLOSENESS_LOAD_SECONDS", "60"))
    server = Server(workers=WORKERS)
    try:
        wrk.run(server.url + "/v1/assessments", 3, CONNECTIONS, script=wrk.LUA)  # warm up
        before = server.worker_rss_kib()
        run = wrk.run(server.url + "/v1/assessments", seconds, CONNECTIONS, script=wrk.LUA)
        after = server.worker_rss_kib()
    finally:
        server.stop()
    growth = {pid: (after[pid] - kib) / kib for pid, kib in before.items() if pid in after}
    result = {
        "machine": machine(),
        "setup": {"seconds": seconds, "connections": CONNECTIONS, "workers": WORKERS},
        **run,
        "worker_rss_kib": {"before": before, "after": after},
        "worker_rss_growth": growth,
        "workers_restarted": sorted(set(before) ^ set(after)),
    }
    save("load", result)
    return result


def table(result: dict) -> str:
    growth = ", ".join(f"{g * 100:+.2f}%" for g in result["worker_rss_growth"].values())
    return (
        "| requests | req/s | p50 ms | p99 ms | socket errors | non-2xx | worker RSS growth | restarts |\n"
        "|---|---|---|---|---|---|---|---|\n"
        f"| {result['requests']:,} | {result['requests_per_second']:.0f} | {result['p50_ms']:.2f} | "
        f"{result['p99_ms']:.2f} | {result['socket_errors']} | {result['non_2xx']} | {growth} | "
        f"{len(result['workers_restarted'])} |"
    )


if __name__ == "__main__":
    outcome = main()
    print(table(outcome))
    failed = outcome["socket_errors"] or outcome["non_2xx"] or outcome["workers_restarted"]
    print(json.dumps({"failed": bool(failed)}))
    sys.exit(1 if failed else 0)
