"""Urgent alerts: signed POSTs to a webhook, off the request path, retried until the receiver is back."""

import hashlib
import hmac
import http.server
import json
import threading
import time

import pytest

from service import create_app
from service.audit.decision_log import migrate
from service.ops.settings import ConfigError
from tests.servers import free_port

SECRET = "alert-secret-0815"


class _Receiver:
    """A webhook receiver on 127.0.0.1 that keeps what it is sent."""

    def __init__(self, port: int):
        self.received: list[tuple[dict, bytes]] = []
        received = self.received

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def _wait(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _app(port, tmp_path, **settings):
    url = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    migrate(url)
    return create_app(
        {
            "TESTING": True,
            "DECISION_LOG": True,
            "DATABASE_URL": url,
            "ALERT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "ALERT_SECRET": SECRET,
            "ALERT_RETRY_BASE": 0.2,
            **settings,
        }
    )


def _verified(headers: dict, body: bytes) -> dict:
    timestamp = headers["X-Closeness-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Closeness-Signature"], "sha256=" + expected)
    assert abs(time.time() - int(timestamp)) < 60  # fresh: a receiver refuses old ones (replay)
    return json.loads(body)


def test_an_urgent_decision_reaches_the_webhook_signed_and_without_answers(tmp_path, baseline):
    port = free_port()
    receiver = _Receiver(port)
    try:
        client = _app(port, tmp_path).test_client()
        secret_words = "my partner hurt me last night"
        calm = client.post("/v1/assessments", json=baseline)
        response = client.post(
            "/v1/assessments", json={**baseline, "partner_harmed_me": True, "extra_note": secret_words}
        )
        assert calm.status_code == response.status_code == 200
        _wait(lambda: receiver.received)
        headers, body = receiver.received[0]
        alert = _verified(headers, body)
        assert alert["type"] == "closeness.urgent"
        assert alert["decision_id"] == response.get_json()["decision_id"]
        assert alert["concerns"] == {"urgent": ["partner_safety_now"], "noted": []}
        assert set(alert) == {"type", "alert_id", "decision_id", "concerns", "time"}
        assert secret_words.encode() not in body and b"partner_harmed_me" not in body
        time.sleep(0.3)
        assert len(receiver.received) == 1  # the calm decision sent nothing
        assert client.get("/readyz").get_json()["alerts"] == "ok"
    finally:
        receiver.stop()


def test_noted_concerns_are_sent_only_when_asked_for(tmp_path, baseline):
    port = free_port()
    receiver = _Receiver(port)
    try:
        noted = {**baseline, "self_harm": True}
        _app(port, tmp_path).test_client().post("/v1/assessments", json=noted)
        time.sleep(0.3)
        assert receiver.received == []
        _app(port, tmp_path, ALERT_NOTED=True).test_client().post("/v1/assessments", json=noted)
        _wait(lambda: receiver.received)
        alert = _verified(*receiver.received[0])
        assert alert["type"] == "closeness.noted" and alert["concerns"]["noted"] == ["self_harm"]
    finally:
        receiver.stop()


def test_a_receiver_that_is_down_gets_the_alert_when_it_is_back(tmp_path, baseline):
    port = free_port()  # nothing listens yet
    client = _app(port, tmp_path).test_client()
    response = client.post("/v1/assessments", json={**baseline, "suicidal_thoughts_now": True})
    assert response.status_code == 200 and response.get_json()["urgent"] is True  # the answer went out
    _wait(lambda: client.get("/readyz").get_json().get("alerts") == "failing")
    assert client.get("/readyz").get_json()["status"] == "degraded"
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'closeness_alerts_total{outcome="retried"}' in metrics
    receiver = _Receiver(port)
    try:
        _wait(lambda: receiver.received, seconds=20)
        alert = _verified(*receiver.received[0])
        assert alert["concerns"]["urgent"] == ["suicide_risk_now"]
        _wait(lambda: client.get("/readyz").get_json()["alerts"] == "ok")
    finally:
        receiver.stop()


def test_a_webhook_without_a_secret_is_refused():
    with pytest.raises(ConfigError, match="CLOSENESS_ALERT_SECRET"):
        create_app({"TESTING": True, "ALERT_WEBHOOK_URL": "https://hooks.example/closeness"})
