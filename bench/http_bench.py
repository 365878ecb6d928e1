"""POST /v1/assessments (unique cases) against two trivial JSON endpoints on the same server, same run.

The baselines: POST /bench/trivial (bench/app.py: reads and parses the same bodies, answers a small
JSON object), what any JSON POST endpoint costs; and GET /livez, which reads no body at all.
"""

import json
import statistics

from bench import wrk
from bench.common import machine, save
from bench.server import Server

ROUNDS, SECONDS = 5, 6  # five rounds: the spread of the per-round ratios shows the noise
# One worker shows the cost per request with nothing else in play; two workers with 64 connections
# use the whole machine.
SETUPS = {"1 worker, 16 connections": (1, 16), "2 workers, 64 connections": (2, 64)}
ENDPOINTS = {  # name: (label, path, posts the unique answer sets)
    "assessments": ("POST /v1/assessments", "/v1/assessments", True),
    "trivial_post": ("POST /bench/trivial", "/bench/trivial", True),
    "livez": ("GET /livez", "/livez", False),
}
BASELINES = ("trivial_post", "livez")


def _run(server: Server, name: str, seconds: int, connections: int) -> dict:
    _, path, posts = ENDPOINTS[name]
    if posts:
        return wrk.run(server.url + path, seconds, connections, script=wrk.LUA, path=path)
    return wrk.run(server.url + path, seconds, connections)


def _measure(workers: int, connections: int) -> dict:
    server = Server(workers=workers)
    try:
        for name in ENDPOINTS:  # warm up every path
            _run(server, name, 2, connections)
        rss_before = server.worker_rss_kib()
        runs = {name: [] for name in ENDPOINTS}
        for _ in range(ROUNDS):  # take turns, so drift on a noisy machine hits all alike
            for name in ENDPOINTS:
                runs[name].append(_run(server, name, SECONDS, connections))
        rss_after = server.worker_rss_kib()
    finally:
        server.stop()

    def per_round(baseline, key):  # a round's endpoints ran back to back: each round gives a ratio
        pairs = zip(runs["assessments"], runs[baseline], strict=True)
        return [ours[key] / theirs[key] for ours, theirs in pairs]

    return {
        "workers": workers,
        "connections": connections,
        "runs": runs,
        "ratios": {  # the median of the per-round ratios: paired measurements, not medians from apart
            baseline: {
                "throughput": statistics.median(per_round(baseline, "requests_per_second")),
                "p99": statistics.median(per_round(baseline, "p99_ms")),
                "throughput_per_round": per_round(baseline, "requests_per_second"),
            }
            for baseline in BASELINES
        },
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
            "baselines": {name: ENDPOINTS[name][0] for name in BASELINES},
            "cases": "a different answer set on every request (the same bodies for POST /bench/trivial)",
        },
        "setups": {name: _measure(*args) for name, args in SETUPS.items()},
    }
    save("http", result)
    return result


def ratio_spread(ratio: dict) -> str:
    rounds = ratio.get("throughput_per_round")
    return f"rounds {min(rounds):.2f}–{max(rounds):.2f}" if rounds else "one ratio of medians"


def table(result: dict) -> str:
    rows = ["| setup | endpoint | req/s (median) | p50 ms | p99 ms |", "|---|---|---|---|---|"]
    for setup, measured in result["setups"].items():
        for name, (label, _, _) in ENDPOINTS.items():
            runs = measured["runs"][name]
            rows.append(
                f"| {setup} | {label} | {statistics.median(r['requests_per_second'] for r in runs):.0f} | "
                f"{statistics.median(r['p50_ms'] for r in runs):.2f} | "
                f"{statistics.median(r['p99_ms'] for r in runs):.2f} |"
            )
    rows.append("")
    for setup, measured in result["setups"].items():
        for baseline in BASELINES:
            ratio = measured["ratios"][baseline]
            rows.append(
                f"- {setup}, against {ENDPOINTS[baseline][0]}: throughput **{ratio['throughput']:.2f}×** "
                f"({ratio_spread(ratio)}), p99 **{ratio['p99']:.2f}×**"
            )
        rows.append(f"- {setup}: errors {measured['errors']}")
    return "\n".join(rows)


if __name__ == "__main__":
    outcome = main()
    print(table(outcome))
    print(json.dumps({k: v["ratios"] for k, v in outcome["setups"].items()}))
