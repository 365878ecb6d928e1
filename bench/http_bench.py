"""POST /v1/assessments (unique cases) against a bare Flask app and two trivial endpoints, same run.

The baselines, each taking its turn within every round:
- POST /bare on a bare Flask app (bench/bare_app.py: one route that parses the JSON body and answers
  a small JSON object, no middleware, no metrics), served by the same gunicorn command, config,
  worker class and worker count on another 127.0.0.1 port: what a minimal Flask JSON service costs;
- POST /bench/trivial in the real app (bench/app.py: reads and strictly parses the same bodies,
  answers a small JSON object, through the real middleware and metrics): what any JSON POST
  endpoint of this app costs;
- POST /bench/decided in the real app (bench/app.py): everything POST /v1/assessments does (strict
  parsing, recording, the result's dump, the same headers) but the decision, which is made once;
  the gap to it is what deciding costs;
- GET /livez in the real app, which reads no body at all.
"""

import json
import statistics

from bench import wrk
from bench.common import machine, save
from bench.server import BareServer, Server

ROUNDS, SECONDS = 5, 6  # five rounds: the spread of the per-round ratios shows the noise
# One worker shows the cost per request with nothing else in play; two workers with 64 connections
# use the whole machine.
SETUPS = {"1 worker, 16 connections": (1, 16), "2 workers, 64 connections": (2, 64)}
ENDPOINTS = {  # name: (label, path, posts the unique answer sets, server)
    "assessments": ("POST /v1/assessments", "/v1/assessments", True, "app"),
    "bare_flask": ("POST /bare (bare Flask app)", "/bare", True, "bare"),
    "trivial_post": ("POST /bench/trivial", "/bench/trivial", True, "app"),
    "decided_post": ("POST /bench/decided (all but the decision)", "/bench/decided", True, "app"),
    "livez": ("GET /livez", "/livez", False, "app"),
}
BASELINES = ("bare_flask", "trivial_post", "decided_post", "livez")
TARGET_BASELINE = "bare_flask"  # the target: POST /v1/assessments ≥ 0.8× the bare Flask JSON app


def _run(servers: dict, name: str, seconds: int, connections: int) -> dict:
    _, path, posts, server = ENDPOINTS[name]
    url = servers[server].url + path
    if posts:
        return wrk.run(url, seconds, connections, script=wrk.LUA, path=path)
    return wrk.run(url, seconds, connections)


def _measure(workers: int, connections: int) -> dict:
    servers = {"app": Server(workers=workers)}
    try:
        servers["bare"] = BareServer(workers=workers)
        for name in ENDPOINTS:  # warm up every path
            _run(servers, name, 2, connections)
        rss_before = {name: server.worker_rss_kib() for name, server in servers.items()}
        runs = {name: [] for name in ENDPOINTS}
        for _ in range(ROUNDS):  # take turns, so drift on a noisy machine hits all alike
            for name in ENDPOINTS:
                runs[name].append(_run(servers, name, SECONDS, connections))
        rss_after = {name: server.worker_rss_kib() for name, server in servers.items()}
    finally:
        for server in servers.values():
            server.stop()

    def per_round(baseline, key):  # a round's endpoints ran back to back: each round gives a ratio
        pairs = zip(runs["assessments"], runs[baseline], strict=True)
        return [ours[key] / theirs[key] for ours, theirs in pairs]

    ratios = {}
    for baseline in BASELINES:
        throughput = per_round(baseline, "requests_per_second")
        ratios[baseline] = {  # the median of the per-round ratios: paired measurements
            "throughput": statistics.median(throughput),
            "throughput_lowest": min(throughput),
            "throughput_highest": max(throughput),
            "p99": statistics.median(per_round(baseline, "p99_ms")),
            "throughput_per_round": throughput,
        }
    return {
        "workers": workers,
        "connections": connections,
        "runs": runs,
        "ratios": ratios,
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
            "target_baseline": TARGET_BASELINE,
            "bare_app": "bench/bare_app.py under the same gunicorn command and config, its own port",
            "cases": "a different answer set on every request (the same bodies for every POST)",
        },
        "setups": {name: _measure(*args) for name, args in SETUPS.items()},
    }
    save("http", result)
    return result


def ratio_spread(ratio: dict) -> str:
    rounds = ratio.get("throughput_per_round")
    if not rounds:
        return "one ratio of medians"
    return f"lowest {min(rounds):.2f}, highest {max(rounds):.2f} of {len(rounds)} rounds"


def table(result: dict) -> str:
    labels = result["setup"]["baselines"]
    rows = ["| setup | endpoint | req/s (median) | p50 ms | p99 ms |", "|---|---|---|---|---|"]
    for setup, measured in result["setups"].items():
        for name, runs in measured["runs"].items():
            label = ENDPOINTS[name][0] if name in ENDPOINTS else labels.get(name, name)
            rows.append(
                f"| {setup} | {label} | {statistics.median(r['requests_per_second'] for r in runs):.0f} | "
                f"{statistics.median(r['p50_ms'] for r in runs):.2f} | "
                f"{statistics.median(r['p99_ms'] for r in runs):.2f} |"
            )
    rows.append("")
    for setup, measured in result["setups"].items():
        for baseline, ratio in measured["ratios"].items():
            rows.append(
                f"- {setup}, POST /v1/assessments against {labels[baseline]}: throughput "
                f"**{ratio['throughput']:.2f}×** ({ratio_spread(ratio)}), p99 **{ratio['p99']:.2f}×**"
            )
        rows.append(f"- {setup}: errors {measured['errors']}")
    rows.append(
        "\nThroughput ratios: the median of the per-round ratios (each round runs every endpoint back "
        "to back), with the lowest and highest round."
    )
    if all("decided_post" in measured["runs"] for measured in result["setups"].values()):
        rows.append("\nWhere the time goes:")
    for setup, measured in result["setups"].items():
        runs = measured["runs"]
        if "decided_post" not in runs:
            continue

        def per_request(name, runs=runs, workers=measured["workers"]):  # µs of a worker per request
            return workers / statistics.median(r["requests_per_second"] for r in runs[name]) * 1e6

        bare, decided, ours = (per_request(n) for n in ("bare_flask", "decided_post", "assessments"))
        rows.append(
            f"- {setup}: each request took a worker {bare:.0f} µs on the bare Flask app, {decided:.0f} µs on "
            f"POST /bench/decided (everything but the decision) and {ours:.0f} µs on POST /v1/assessments: "
            f"deciding is {ours - decided:.0f} µs of it, the rest {decided - bare:.0f} µs more than the bare "
            f"app (from the median throughputs; a 0.8× ratio allows {bare / 0.8 - bare:.0f} µs more in all)."
        )
    return "\n".join(rows)


if __name__ == "__main__":
    outcome = main()
    print(table(outcome))
    print(json.dumps({k: v["ratios"] for k, v in outcome["setups"].items()}))
