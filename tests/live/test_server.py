"""A real gunicorn, started with `closeness serve` on a free 127.0.0.1 port and stopped by its PID."""

import json
import random
import socket
import time

import pytest

from service.ops.metrics import FLUSH_SECONDS
from tests.answers import random_answers
from tests.policy import decide
from tests.servers import LiveServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = LiveServer(tmp_path_factory.mktemp("server") / "gunicorn.log")
    try:
        yield running
    finally:
        running.stop()


def test_readyz_reports_the_ruleset(server, rulebook):
    status, _, body = server.request("GET", "/readyz")
    assert status == 200 and json.loads(body)["ruleset"]["digest"] == rulebook.digest


def test_live_decisions_agree_with_the_policy(server):
    rng = random.Random(8000)
    for _ in range(150):
        answers = random_answers(rng)
        status, result = server.post_json(answers)
        expected = decide(answers)
        assert status == 200
        assert (result["recommendation"], result["urgent"]) == (
            expected["recommendation"],
            expected["urgent"],
        )
        assert [s["id"] for s in result["steps"]] == expected["steps"]
        assert [a["recommendation"] for a in result["also_consider"]] == expected["also_consider"]
        assert result["safety"] == expected["safety"]


JSON = {"Content-Type": "application/json"}
HOSTILE = [
    ("oversized", b"[" + b"1," * 100_000 + b"1]", JSON, 413),
    ("deep_nesting", b"[" * 30_000 + b"]" * 30_000, JSON, 400),
    ("long_number", b'{"ready_to_share": 1' + b"0" * 4000 + b"}", JSON, 422),
    ("too_long_number", b'{"ready_to_share": 1' + b"0" * 5000 + b"}", JSON, 400),
    (
        "huge_integer_in_range_check",
        b'{"ready_to_share": 100000000000000000000000000000000000000}',
        JSON,
        422,
    ),
    ("invalid_utf8", b'{"a": "\xff"}', JSON, 400),
    ("nan", b'{"ready_to_share": NaN}', JSON, 400),
    ("infinity", b'{"ready_to_share": -Infinity}', JSON, 400),
    ("duplicate_keys", b'{"afraid_of_partner": false, "afraid_of_partner": true}', JSON, 400),
    ("wrong_type", b"ready_to_share=4", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
    ("text_plain", b"{}", {"Content-Type": "text/plain"}, 415),
    ("no_content_type", b"{}", {}, 415),
    ("not_an_object", b"[1, 2, 3]", JSON, 422),
    ("null_body", b"null", JSON, 422),
]


@pytest.mark.parametrize(("body", "headers", "status"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_requests_get_4xx(server, body, headers, status):
    got, response_headers, payload = server.request("POST", "/v1/assessments", body, headers)
    assert got == status
    assert json.loads(payload)["request_id"] == response_headers["X-Request-ID"]


def test_ten_megabyte_body_is_refused_before_it_is_read(server):
    # The server answers 413 from the Content-Length alone and closes; a client that insists on
    # sending all 10 MB first would only see the connection close, so send a little and listen.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        head = (
            "POST /v1/assessments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {10 * 1024 * 1024}\r\n\r\n"
        )
        connection.sendall(head.encode() + b" " * 65536)
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413")
    assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["code"] == "payload_too_large"


def _chunked_post(server, body: bytes) -> tuple[int, dict]:
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:10], body[10:]) if part)
    head = (
        "POST /v1/assessments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall(head.encode() + chunks + b"0\r\n\r\n")
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    status_line, _, rest = reply.partition(b"\r\n")
    return int(status_line.split()[1]), json.loads(rest.split(b"\r\n\r\n", 1)[1])


def test_a_chunked_body_is_read_and_decided(server, baseline):
    status, result = _chunked_post(server, json.dumps({**baseline, "afraid_of_partner": True}).encode())
    assert status == 200 and result["recommendation"] == "professional_help" and result["urgent"]


def test_a_chunked_body_over_the_limit_is_refused(server):
    status, result = _chunked_post(server, b"[" + b"1," * 100_000 + b"1]")
    assert status == 413 and result["code"] == "payload_too_large"


def test_metrics_add_up_across_workers(server):
    def count():
        _, _, text = server.request("GET", "/metrics")
        total = 0.0
        for line in text.decode().splitlines():
            if line.startswith('closeness_http_requests_total{endpoint="/livez"'):
                total += float(line.rsplit(" ", 1)[1])
        return total

    # Two workers share the requests; whichever serves /metrics must report both workers' counts, the
    # other worker's within a second or so (each adds its counts once a second), never more than made.
    before = count()
    for _ in range(40):
        assert server.request("GET", "/livez")[0] == 200
    seen = [count() - before]
    deadline = time.monotonic() + 3 * FLUSH_SECONDS
    while seen[-1] < 40 and time.monotonic() < deadline:
        time.sleep(0.1)
        seen.append(count() - before)
    assert seen[-1] == 40 and max(seen) == 40 and seen == sorted(seen)
    time.sleep(FLUSH_SECONDS + 0.2)
    assert [count() - before for _ in range(4)] == [40] * 4


def test_server_log_is_json_lines_without_answer_values(server):
    server.post_json({"self_willing": "zebra-9911", "signs": ["seeking_connection_elsewhere"]})
    server.post_json({**random_answers(random.Random(1)), "partner_willing": "not_discussed"})
    time.sleep(0.3)
    text = server.log.read_text()
    access = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any(line["path"] == "/v1/assessments" and line["status"] == 422 for line in access)
    for value in ("zebra-9911", "seeking_connection_elsewhere", "not_discussed"):
        assert value not in text
    assert text.count("Booting worker") == 2  # no worker died along the way
    # What a deployment should change is said once, by the master, in gunicorn's own log format.
    defaults = "support resources: using the rulebook's defaults"
    warnings = [line for line in text.splitlines() if defaults in line]
    assert len(warnings) == 1 and "[WARNING]" in warnings[0]


def test_instances_share_no_control_socket(server):
    # gunicorn 27 would put one control socket per user in ~/.gunicorn; the config turns it off.
    import os
    from pathlib import Path

    runtime = os.environ.get("XDG_RUNTIME_DIR")
    socket = Path(runtime, "gunicorn.ctl") if runtime else Path.home() / ".gunicorn" / "gunicorn.ctl"
    assert not socket.exists()
