"""nginx in front (deploy/nginx/closeness.conf), with two `closeness serve` instances sharing a
PostgreSQL decision log: slow clients, a killed instance and rolling reloads cost no client request."""

import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import yaml

from tests.live.conftest import in_database
from tests.servers import LiveServer, Nginx, nginx_stack

BODY_HEADERS = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def stack(pg, tmp_path_factory):
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        if os.environ.get("CI"):
            pytest.fail("the nginx tests need Debian's nginx (make nginx installs it)")
        pytest.skip("nginx not installed")
    folder = tmp_path_factory.mktemp("nginx")
    proxy, instances, env = nginx_stack(folder, pg.url)
    try:
        yield proxy, instances, env, folder
    finally:
        proxy.stop()
        for server in instances:
            try:
                server.stop()
            except ProcessLookupError:
                pass


class Traffic:
    """Clients posting answers through nginx until stopped; every status and failure is kept."""

    def __init__(self, proxy: Nginx, body: dict, clients: int = 4):
        self.proxy, self.body = proxy, json.dumps(body)
        self.statuses: list[int] = []
        self.ids: list[str] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]
        for thread in self._threads:
            thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                status, headers, _ = self.proxy.request("POST", "/v1/assessments", self.body, BODY_HEADERS)
                self.statuses.append(status)
                self.ids += [headers["X-Decision-ID"]] if "X-Decision-ID" in headers else []
            except OSError as error:
                self.failures.append(type(error).__name__)

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(15)
        return self


def _wait_ready(server: LiveServer, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if server.request("GET", "/readyz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("instance not ready again")


def test_requests_pass_through_with_the_service_s_answers(stack, baseline):
    proxy, _, _, _ = stack
    status, headers, body = proxy.request("POST", "/v1/assessments", json.dumps(baseline), BODY_HEADERS)
    assert status == 200 and json.loads(body)["recommendation"] == "rebuild" and "X-Decision-ID" in headers
    status, _, body = proxy.request("POST", "/v1/assessments", "{", BODY_HEADERS)
    assert status == 400 and json.loads(body)["code"] == "malformed_json"  # the service's own error
    assert proxy.request("GET", "/metrics")[0] == 404  # not for the public


def test_what_nginx_refuses_itself_is_json_in_the_service_s_shape(stack):
    proxy, _, _, _ = stack
    status, headers, body = proxy.request("POST", "/v1/assessments", "x" * 70_000, BODY_HEADERS)
    assert status == 413 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["code"] == "payload_too_large"
    status, headers, body = proxy.request("GET", "/livez", headers={"X-Big": "y" * 9000})
    assert status == 400 and json.loads(body)["status"] == 400
    status, _, body = proxy.request("GET", "/" + "a" * 9000)
    assert status == 414 and json.loads(body)["code"] == "uri_too_long"
    status, headers, body = proxy.request("GET", "/metrics")  # for monitoring on the instances' ports only
    assert status == 404 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["code"] == "not_found"
    # nginx's own errors name the request, in the body and the header, as the service's do.
    assert len(headers["X-Request-ID"]) == 32 and json.loads(body)["request_id"] == headers["X-Request-ID"]
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as raw:
        raw.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400") and b'"bad_request"' in answer and b"<html" not in answer


def test_slow_clients_do_not_delay_anyone_else(stack, baseline):
    proxy, _, _, _ = stack
    slow = []
    for _ in range(50):  # each sends a header line every second and never finishes
        connection = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
        connection.sendall(b"POST /v1/assessments HTTP/1.1\r\nHost: x\r\n")
        slow.append(connection)
    stop = threading.Event()

    def dribble():
        while not stop.is_set():
            for connection in slow:
                try:
                    connection.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    pass
            stop.wait(1)

    thread = threading.Thread(target=dribble, daemon=True)
    thread.start()
    try:
        traffic = Traffic(proxy, baseline)
        time.sleep(8)
        traffic.stop()
    finally:
        stop.set()
        thread.join(5)
        for connection in slow:
            connection.close()
    assert not traffic.failures and traffic.statuses and set(traffic.statuses) == {200}


def test_killing_one_instance_under_load_costs_no_request_and_no_decision(stack, pg, baseline):
    proxy, instances, env, folder = stack
    traffic = Traffic(proxy, baseline)
    time.sleep(2)
    victim = instances[0]
    children = Path(f"/proc/{victim.process.pid}/task/{victim.process.pid}/children").read_text()
    workers = [int(pid) for pid in children.split()]
    for pid in [victim.process.pid, *workers]:
        os.kill(pid, signal.SIGKILL)
    victim.process.wait()
    time.sleep(3)
    traffic.stop()
    assert not traffic.failures and len(traffic.statuses) > 20 and set(traffic.statuses) == {200}
    # Every decision acknowledged, the killed instance's included, reaches the shared database (what
    # its workers had not shipped is adopted from the spool they shared with the other instance).
    assert len(traffic.ids) == len(traffic.statuses)
    assert in_database(pg.url, traffic.ids) == set(traffic.ids)
    # Back to two instances for the tests after this one, on the same port.
    instances[0] = LiveServer(folder / "instance-1b.log", env=env, workers=2, port=victim.port)


def test_a_rolling_reload_of_each_instance_costs_no_request(stack, baseline):
    proxy, instances, _, _ = stack
    traffic = Traffic(proxy, baseline)
    for server in instances:
        os.kill(server.process.pid, signal.SIGHUP)  # new workers, then the old ones stop gracefully
        time.sleep(2)
        _wait_ready(server)
    time.sleep(1)
    traffic.stop()
    assert not traffic.failures and len(traffic.statuses) > 20 and set(traffic.statuses) == {200}


def test_the_pod_s_nginx_configuration_is_accepted_by_nginx(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        pytest.skip("nginx not installed")
    configmap = (
        Path(__file__).resolve().parents[2] / "deploy" / "kubernetes" / "generated" / "nginx-configmap.yaml"
    )
    data = yaml.safe_load(configmap.read_text())["data"]
    main = data["nginx.conf"].replace("/etc/nginx/closeness.conf", str(tmp_path / "closeness.conf"))
    main = main.replace("/tmp/nginx", f"{tmp_path}/nginx").replace("/dev/stderr", str(tmp_path / "error.log"))
    (tmp_path / "nginx.conf").write_text(main)
    (tmp_path / "closeness.conf").write_text(data["closeness.conf"])
    run = subprocess.run([nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_an_address_that_keeps_trying_codes_on_the_couple_routes_is_slowed(stack, baseline):
    proxy, _, _, _ = stack
    headers = {**BODY_HEADERS, "Authorization": "Bearer " + "x" * 43}
    statuses = [
        proxy.request("POST", "/v1/couples/answers", json.dumps(baseline), headers)[0] for _ in range(60)
    ]
    # The instances here run without a data key (503); past the burst, nginx answers 429 itself, as JSON.
    assert statuses[0] in (404, 503) and 429 in statuses
    status, headers_, body = proxy.request("POST", "/v1/couples/answers", json.dumps(baseline), headers)
    assert status == 429 and json.loads(body)["code"] == "too_many_requests"
    assert (
        proxy.request("POST", "/v1/assessments", json.dumps(baseline), BODY_HEADERS)[0] == 200
    )  # others flow
