"""A real gunicorn, started with `closeness serve` on a free 127.0.0.1 port and stopped by its PID."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from service.cli import gunicorn_command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    def __init__(self, log: Path, env: dict | None = None, workers: int = 2, app: str | None = None):
        self.port, self.log = free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
        environment.update(env or {})
        command = [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
        ]
        if app:  # another WSGI app under exactly what `closeness serve` runs (gunicorn, its config)
            command = gunicorn_command("127.0.0.1", self.port, workers, app)
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment)
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert self.process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "server did not become ready: " + log.read_text()
            time.sleep(0.1)

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=getattr(self, "timeout", 30))
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def post_json(self, answers):
        status, _, body = self.request(
            "POST", "/v1/assessments", json.dumps(answers), {"Content-Type": "application/json"}
        )
        return status, json.loads(body)

    def stop(self) -> None:
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
