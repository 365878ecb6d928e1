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

from service.cli.serve import gunicorn_command


def http_request(port: int, method, path, body=None, headers=None, timeout: float = 30):
    """One HTTP request to 127.0.0.1: (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 30 s: a server that will not stop never holds the run."""
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


class LiveServer:
    def __init__(
        self,
        log: Path,
        env: dict | None = None,
        workers: int = 2,
        app: str | None = None,
        port: int | None = None,
    ):
        self.port, self.log = port or free_port(), log
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
        return http_request(self.port, method, path, body, headers, getattr(self, "timeout", 30))

    def post_json(self, answers):
        status, _, body = self.request(
            "POST", "/v1/assessments", json.dumps(answers), {"Content-Type": "application/json"}
        )
        return status, json.loads(body)

    def stop(self) -> None:
        stop_process(self.process)


DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "nginx"


class Nginx:
    """Debian's nginx running deploy/nginx/closeness.conf, in front of the given instance ports."""

    def __init__(self, folder: Path, upstream_ports: list[int]):
        import shutil

        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise FileNotFoundError("nginx")
        self.port, self.folder = free_port(), folder
        self.url = f"http://127.0.0.1:{self.port}"
        site = (DEPLOY / "closeness.conf").read_text()
        servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in upstream_ports)
        site = site.replace(
            "    server 127.0.0.1:8001 max_fails=1 fail_timeout=5s;\n"
            "    server 127.0.0.1:8002 max_fails=1 fail_timeout=5s;",
            servers,
        )
        site = site.replace("listen 8080;", f"listen 127.0.0.1:{self.port};").replace(
            "    listen [::]:8080;\n", ""
        )
        site = site.replace("/etc/nginx/closeness-errors/", f"{DEPLOY / 'errors'}/")
        (folder / "closeness.conf").write_text(site)
        temp = "\n".join(
            f"  {name}_temp_path {folder / name};"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (folder / "nginx.conf").write_text(
            f"user root;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
            "worker_processes 1;\nevents { worker_connections 2048; }\n"
            f"http {{\n  access_log off;\n{temp}\n  include {folder / 'closeness.conf'};\n}}\n"
        )
        with open(folder / "nginx.stderr", "wb") as stderr:
            self.process = subprocess.Popen(
                [binary, "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                assert self.process.poll() is None, (folder / "nginx.stderr").read_text()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)

    def request(self, method, path, body=None, headers=None, timeout=10):
        return http_request(self.port, method, path, body, headers, timeout)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def nginx_stack(folder: Path, database_url: str) -> tuple[Nginx, list[LiveServer], dict]:
    """deploy/nginx in front of two instances of `closeness serve` sharing one decision log."""
    env = {
        "CLOSENESS_DECISION_LOG": "true",
        "CLOSENESS_DECISION_LOG_URL": database_url,
        "CLOSENESS_DECISION_SPOOL_DIR": str(folder / "spool"),
    }
    instances = [LiveServer(folder / f"instance-{n}.log", env=env, workers=2) for n in (1, 2)]
    return Nginx(folder, [server.port for server in instances]), instances, env
