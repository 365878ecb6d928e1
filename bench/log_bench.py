"""The decision log on a real PostgreSQL: its cost, and what a frozen database does to clients.

1. Throughput of POST /v1/assessments with the log on (PostgreSQL) against the same server setup with
   the log off, rounds taking turns; the median of the per-round ratios (target >= 0.9x).
2. Under load, PostgreSQL frozen (SIGSTOP) for FREEZE seconds: p99 against an unfrozen run of the
   same length just before (target within 2x), client errors (target 0); after thawing, every
   decision the server answered is a row in the database (target: nothing lost).
"""

import json
import re
import statistics
import time

from sqlalchemy import func, select

from bench import wrk
from bench.common import machine, save
from bench.server import Server
from service.audit.decision_log import DecisionLog, decisions
from tests.live.conftest import Postgres

ROUNDS, SECONDS, CONNECTIONS, WORKERS = 5, 6, 32, 2
FREEZE = 60


def _post(server: Server, seconds: int) -> dict:
    return wrk.run(server.url + "/v1/assessments", seconds, CONNECTIONS, script=wrk.LUA)


def _decisions_answered(server: Server) -> int:
    _, _, body = server.request("GET", "/metrics")
    return int(sum(float(n) for n in re.findall(rb"^closeness_decisions_total\{[^}]*\} (\S+)", body, re.M)))


def _rows(url: str) -> int:
    log = DecisionLog(url)
    try:
        with log.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(decisions)).scalar_one()
    finally:
        log.engine.dispose()


def _wait_for_rows(url: str, wanted: int, seconds: float = 120) -> tuple[int, float]:
    started = time.monotonic()
    while True:
        rows = _rows(url)
        if rows >= wanted or time.monotonic() - started > seconds:
            return rows, time.monotonic() - started
        time.sleep(0.25)


def main(freeze: int = FREEZE) -> dict:
    pg = Postgres()
    log_on = {"CLOSENESS_DECISION_LOG": "true", "CLOSENESS_DECISION_LOG_URL": pg.url}
    servers = {"log_off": Server(WORKERS), "log_on": Server(WORKERS, env=log_on)}
    try:
        for server in servers.values():
            _post(server, 2)  # warm up
        runs = {name: [] for name in servers}
        for _ in range(ROUNDS):
            for name, server in servers.items():
                runs[name].append(_post(server, SECONDS))
        per_round = [
            on["requests_per_second"] / off["requests_per_second"]
            for on, off in zip(runs["log_on"], runs["log_off"], strict=True)
        ]
        servers["log_off"].stop()
        on = servers.pop("log_on")
        answered_before = _decisions_answered(on)
        rows_before, _ = _wait_for_rows(pg.url, answered_before)
        quiet = _post(on, freeze)
        pg.freeze()
        try:
            frozen = _post(on, freeze)
            _, _, ready = on.request("GET", "/readyz")
        finally:
            pg.thaw()
        answered = _decisions_answered(on)
        rows_after, drained_in = _wait_for_rows(pg.url, answered)
        on.stop()
    finally:
        for server in servers.values():
            try:
                server.stop()
            except ProcessLookupError:
                pass
        pg.close()
    result = {
        "machine": machine(),
        "setup": {"rounds": ROUNDS, "seconds": SECONDS, "connections": CONNECTIONS, "workers": WORKERS},
        "runs": runs,
        "throughput_ratio": statistics.median(per_round),
        "throughput_ratio_per_round": per_round,
        "freeze": {
            "seconds": freeze,
            "quiet": quiet,
            "frozen": frozen,
            "p99_ratio": frozen["p99_ms"] / quiet["p99_ms"],
            "client_errors": frozen["socket_errors"] + frozen["non_2xx"],
            "readyz_while_frozen": json.loads(ready),
            "answered_total": answered,
            "rows_total": rows_after,
            "rows_before_runs": rows_before,
            "lost": max(0, answered - rows_after),
            "drained_in_seconds": drained_in,
        },
    }
    save("log", result)
    return result


def table(result: dict) -> str:
    freeze = result["freeze"]
    rounds = result["throughput_ratio_per_round"]
    rows = [
        "| run | req/s (median) | p50 ms | p99 ms |",
        "|---|---|---|---|",
    ]
    for name, label in (("log_off", "log off"), ("log_on", "log on (PostgreSQL)")):
        runs = result["runs"][name]
        rows.append(
            f"| {label} | {statistics.median(r['requests_per_second'] for r in runs):.0f} | "
            f"{statistics.median(r['p50_ms'] for r in runs):.2f} | "
            f"{statistics.median(r['p99_ms'] for r in runs):.2f} |"
        )
    for name, label in (("quiet", "log on, before the freeze"), ("frozen", "log on, PostgreSQL frozen")):
        run = freeze[name]
        rows.append(
            f"| {label} ({freeze['seconds']} s) | {run['requests_per_second']:.0f} | {run['p50_ms']:.2f} | "
            f"{run['p99_ms']:.2f} |"
        )
    rows += [
        "",
        f"- throughput with the log on: **{result['throughput_ratio']:.2f}×** the log off "
        f"(rounds {min(rounds):.2f}–{max(rounds):.2f})",
        f"- PostgreSQL frozen {freeze['seconds']} s: p99 **{freeze['p99_ratio']:.2f}×** the run before, "
        f"client errors {freeze['client_errors']}; /readyz said "
        f"`{freeze['readyz_while_frozen'].get('status')}`",
        f"- after thawing: {freeze['answered_total']} decisions answered, {freeze['rows_total']} rows; "
        f"lost {freeze['lost']}; the backlog drained in {freeze['drained_in_seconds']:.1f} s",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    outcome = main()
    print(table(outcome))
