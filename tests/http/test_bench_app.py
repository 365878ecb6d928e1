"""bench/app.py: the benchmark's trivial JSON POST exists there only, never in the served app."""

from bench.app import create_app as create_bench_app
from service import create_app


def test_trivial_post_parses_the_body_and_answers_small_json(baseline):
    client = create_bench_app().test_client()
    response = client.post("/bench/trivial", json=baseline)
    assert response.status_code == 200 and response.json == {"status": "received", "fields": len(baseline)}
    assert response.headers["X-Request-ID"]  # through the same middleware as the real endpoints
    refused = client.post("/bench/trivial", data=b'{"a": 1, "a": 2}', content_type="application/json")
    assert refused.status_code == 400


def test_decided_post_answers_like_the_real_endpoint_without_deciding(baseline):
    from bench.common import unique_cases

    client = create_bench_app().test_client()
    fixed = client.post("/v1/assessments", json=unique_cases(1, 11)[0])
    response = client.post("/bench/decided", json=baseline)  # other answers: the same fixed result
    assert response.status_code == 200 and response.json == fixed.json
    assert response.headers["Content-Type"] == fixed.headers["Content-Type"] == "application/json"
    refused = client.post("/bench/decided", data=b'{"a": 1, "a": 2}', content_type="application/json")
    assert refused.status_code == 400


def test_the_served_app_has_no_benchmark_endpoint():
    client = create_app().test_client()
    assert client.post("/bench/trivial", json={}).status_code == 404
    assert client.post("/bench/decided", json={}).status_code == 404
