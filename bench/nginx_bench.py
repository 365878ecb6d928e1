"""nginx in front of two instances (deploy/nginx/closeness.conf), sharing a PostgreSQL decision log.

1. 50 slow-header clients (a header line every second, never finishing) for SLOW seconds while wrk
   posts answers through nginx: p99 against a quiet run of the same length (target within 2x), errors
   (target 0).
2. One of the two instances killed (SIGKILL, master and workers) in the middle of a wrk run: client
   errors (target 0).
"""

import os
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

from bench import wrk
from bench.common import machine, save
from tests.live.conftest import Postgres
from tests.servers import LiveServer, Nginx, nginx_stack

SLOW, KILL_RUN, CONNECTIONS, SLOW_CLIENTS = 60, 20, 32, 50


def _post(proxy: Nginx, seconds: int) -> dict:
    return wrk.run(proxy.url + "/v1/assessments", seconds, CONNECTIONS, script=wrk.LUA)


def _slow_clients(port: int, stop: threading.Event) -> None:
    connections = []
    for _ in range(SLOW_CLIENTS):
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        connection.sendall(b"POST /v1/assessments HTTP/1.1\r\nHost: x\r\n")
        connections.append(connection)
    while not stop.wait(1):
        for index, connection in enumerate(connections):
            try:
                connection.sendall(b"X-Slow: 1\r\n")
            except OSError:  # nginx gave up on it (client_header_timeout): another one takes its place
                connection.close()
                connections[index] = socket.create_connection(("127.0.0.1", port), timeout=10)
                connections[index].sendall(b"POST /v1/assessments HTTP/1.1\r\nHost: x\r\n")
    for connection in connections:
        connection.close()


def _kill(server: LiveServer) -> None:
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    for pid in [server.process.pid, *map(int, children)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main(slow: int = SLOW, kill_run: int = KILL_RUN) -> dict:
    pg = Postgres()
    folder = Path(tempfile.mkdtemp(prefix="closeness-nginx-bench-"))
    proxy, instances, _ = nginx_stack(folder, pg.url)
    try:
        _post(proxy, 3)  # warm up
        quiet = _post(proxy, slow)
        stop = threading.Event()
        dribbling = threading.Thread(target=_slow_clients, args=(proxy.port, stop), daemon=True)
        dribbling.start()
        time.sleep(1)
        with_slow = _post(proxy, slow)
        stop.set()
        dribbling.join(10)
        killer = threading.Timer(kill_run / 2, _kill, args=(instances[0],))
        killer.start()
        killed = _post(proxy, kill_run)
        killer.join()
    finally:
        proxy.stop()
        for server in instances:
            try:
                server.stop()
            except (ProcessLookupError, OSError):
                pass
        pg.close()
    result = {
        "machine": machine(),
        "setup": {"connections": CONNECTIONS, "slow_clients": SLOW_CLIENTS, "instances": 2, "workers": 2},
        "quiet": quiet,
        "slow_clients": with_slow,
        "p99_ratio": with_slow["p99_ms"] / quiet["p99_ms"],
        "slow_errors": with_slow["socket_errors"] + with_slow["non_2xx"],
        "instance_killed": killed,
        "kill_errors": killed["socket_errors"] + killed["non_2xx"],
    }
    save("nginx", result)
    return result


def table(result: dict) -> str:
    rows = ["| run (through nginx) | req/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|"]
    for key, label in (
        ("quiet", "quiet"),
        ("slow_clients", f"{result['setup']['slow_clients']} slow-header clients"),
        ("instance_killed", "one of two instances killed halfway"),
    ):
        run = result[key]
        rows.append(
            f"| {label} ({run['requests']} requests) | {run['requests_per_second']:.0f} | "
            f"{run['p50_ms']:.2f} | {run['p99_ms']:.2f} | {run['socket_errors'] + run['non_2xx']} |"
        )
    rows += [
        "",
        f"- slow clients: p99 **{result['p99_ratio']:.2f}×** the quiet run, errors {result['slow_errors']}",
        f"- one instance killed under load: client errors **{result['kill_errors']}**",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    print(table(main()))
