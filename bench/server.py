"""Servers for benchmarks, on free loopback ports under the real gunicorn command and config: the real
app (with POST /bench/trivial added) and the bare Flask baseline, with their workers' memory."""

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.common import rss_kib
from service.cli.serve import gunicorn_command
from tests.servers import LiveServer, free_port, http_request, stop_process


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


class Server(LiveServer):
    def __init__(self, workers: int = 2, env: dict | None = None):
        self._tmp = tempfile.TemporaryDirectory(prefix="closeness-bench-")
        # The real app with POST /bench/trivial added (bench/app.py), under the real gunicorn config.
        env = {"CLOSENESS_DECISION_SPOOL_DIR": str(Path(self._tmp.name) / "spool"), **(env or {})}
        super().__init__(
            Path(self._tmp.name) / "gunicorn.log", env=env, workers=workers, app="bench.app:create_app()"
        )

    def workers(self) -> list[int]:
        return _children(self.process.pid)

    def worker_rss_kib(self) -> dict[int, int]:
        return {pid: rss_kib(pid) for pid in self.workers()}

    def stop(self) -> None:
        super().stop()
        self._tmp.cleanup()


class BareServer:
    """bench/bare_app.py under the same gunicorn command, config, worker class and environment as
    Server; ready once its one route answers (it has no /readyz)."""

    def __init__(self, workers: int = 2):
        from bench.bare_app import PATH

        self._tmp = tempfile.TemporaryDirectory(prefix="closeness-bench-bare-")
        self.port, self.path = free_port(), PATH
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(self._tmp.name) / "gunicorn.log"
        environment = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        environment["CLOSENESS_DECISION_SPOOL_DIR"] = str(Path(self._tmp.name) / "spool")
        command = gunicorn_command("127.0.0.1", self.port, workers, "bench.bare_app:app")
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, body = self.post({"ready": True})
                if status == 200 and json.loads(body) == {"status": "received", "fields": 1}:
                    break
            except OSError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, "bare app did not become ready: " + self.log.read_text()
            time.sleep(0.1)

    def post(self, body: dict):
        return http_request(
            self.port, "POST", self.path, json.dumps(body), {"Content-Type": "application/json"}
        )

    def workers(self) -> list[int]:
        return _children(self.process.pid)

    def worker_rss_kib(self) -> dict[int, int]:
        return {pid: rss_kib(pid) for pid in self.workers()}

    def stop(self) -> None:
        stop_process(self.process)
        self._tmp.cleanup()
