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


def test_the_served_app_has_no_benchmark_endpoint():
    assert create_app().test_client().post("/bench/trivial", json={}).status_code == 404
