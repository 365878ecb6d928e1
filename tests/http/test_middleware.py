"""Request ids, the JSON access log (no bodies, no query strings), security headers and CORS."""

import json
import logging

import pytest

from service import create_app
from service.api.middleware import JsonLineFormatter


def test_request_id_is_generated_and_returned(client):
    response = client.get("/livez")
    assert len(response.headers["X-Request-ID"]) == 32


def test_valid_request_id_is_kept(client):
    assert (
        client.get("/livez", headers={"X-Request-ID": "abc-123.x:y"}).headers["X-Request-ID"] == "abc-123.x:y"
    )


@pytest.mark.parametrize("given", ["has space", "x" * 129, "<script>", ""])
def test_unusable_request_id_is_replaced(client, given):
    returned = client.get("/livez", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    assert returned != given and len(returned) == 32


@pytest.mark.parametrize("path", ["/livez", "/v1/questionnaire", "/nowhere"])
def test_security_headers_on_api_responses(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.setFormatter(JsonLineFormatter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def captured_log():
    handler = _Capture()
    logger = logging.getLogger("closeness")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_one_json_line_per_request_without_query_or_body(client, baseline, captured_log):
    client.post("/v1/assessments?token=query-secret", json=baseline, headers={"X-Request-ID": "r-1"})
    lines = [json.loads(line) for line in captured_log]
    assert len(lines) == 1
    line = lines[0]
    assert {k: line[k] for k in ("method", "path", "status", "request_id")} == {
        "method": "POST",
        "path": "/v1/assessments",
        "status": 200,
        "request_id": "r-1",
    }
    assert line["duration_ms"] >= 0
    assert "query-secret" not in captured_log[0]


def test_logs_never_contain_answer_values(client, baseline, captured_log):
    distinctive = {
        **baseline,
        "partner_willing": "not_discussed",
        "signs": ["seeking_connection_elsewhere"],
        "missing_needs": ["feeling_safe_to_share"],
        "self_willing": "zebra-7731",
    }
    client.post("/v1/assessments", json=distinctive)
    client.post("/v1/assessments", json={**distinctive, "self_willing": "unsure"})
    client.post("/v1/assessments", data=b'{"self_willing": "zebra-7731", ', content_type="application/json")
    text = "\n".join(captured_log)
    assert len(captured_log) == 3
    for value in (
        "not_discussed",
        "seeking_connection_elsewhere",
        "feeling_safe_to_share",
        "zebra-7731",
        "unsure",
    ):
        assert value not in text


def test_cors_is_off_by_default(client):
    response = client.get("/v1/questionnaire", headers={"Origin": "https://clinic.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.fixture
def cors_client():
    return create_app({"TESTING": True, "CORS_ORIGINS": ["https://clinic.example"]}).test_client()


def test_allowed_origin_gets_cors_headers(cors_client, baseline):
    response = cors_client.post(
        "/v1/assessments", json=baseline, headers={"Origin": "https://clinic.example"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "Origin" in response.headers["Vary"]


def test_other_origin_gets_no_cors_headers(cors_client):
    response = cors_client.get("/v1/questionnaire", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_from_allowed_origin(cors_client):
    response = cors_client.options(
        "/v1/assessments",
        headers={
            "Origin": "https://clinic.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_preflight_from_other_origin_is_refused(cors_client):
    response = cors_client.options(
        "/v1/assessments", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 403 and response.get_json()["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_every_response_names_the_rulebook_digest(client, baseline, rulebook):
    for response in (
        client.post("/v1/assessments", json=baseline),
        client.get("/livez"),
        client.get("/nowhere"),
    ):
        assert response.headers["X-Ruleset-Digest"] == rulebook.digest


def test_the_layer_merges_vary_and_replaces_a_stale_request_id():
    # A view's own Vary is kept with Origin added once; a request id a view set is replaced by this one's.
    from flask import Flask

    from service.api.middleware import Plumbing

    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = ["https://clinic.example"]

    @app.get("/own")
    def own():
        return "", 200, {"Vary": "Accept-Encoding", "X-Request-ID": "stale", "Cache-Control": "max-age=5"}

    app.wsgi_app = Plumbing(app)
    headers = app.test_client().get("/own", headers={"Origin": "https://clinic.example"}).headers
    assert headers.getlist("Vary") == ["Accept-Encoding, Origin"]
    assert headers.getlist("X-Request-ID") != ["stale"] and len(headers.getlist("X-Request-ID")) == 1
    assert headers["Cache-Control"] == "max-age=5"  # a view's own value stays
    assert headers["Access-Control-Allow-Origin"] == "https://clinic.example"


def test_preflights_are_counted_under_one_label(cors_client):
    from prometheus_client.parser import text_string_to_metric_families

    def counted():
        text = cors_client.get("/metrics").get_data(as_text=True)  # this process's counts are all in
        labels = {"endpoint": "preflight", "method": "OPTIONS", "status": "204"}
        return sum(
            sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
            if sample.name == "closeness_http_requests_total" and sample.labels == labels
        )

    before = counted()
    preflight = {"Origin": "https://clinic.example", "Access-Control-Request-Method": "POST"}
    cors_client.options("/v1/made-up-path", headers=preflight)
    assert counted() == before + 1
