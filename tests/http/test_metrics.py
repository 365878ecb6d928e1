"""GET /metrics in Prometheus text format (in-process; the multi-worker case is in test_server)."""

from prometheus_client.parser import text_string_to_metric_families


def _samples(client):
    text = client.get("/metrics").get_data(as_text=True)
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_requests_decisions_and_rule_firings(client, baseline):
    before = _samples(client)
    client.post(
        "/v1/assessments",
        json={**baseline, "self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True},
    )
    client.post("/v1/assessments", json={**baseline, "ready_to_share": 0})
    client.get("/nowhere")
    after = _samples(client)

    def grew(name, **labels):
        return _value(after, name, **labels) - _value(before, name, **labels)

    requests = "closeness_http_requests_total"
    assert grew(requests, endpoint="/v1/assessments", method="POST", status="200") == 1
    assert grew(requests, endpoint="/v1/assessments", method="POST", status="422") == 1
    assert grew(requests, endpoint="unmatched", method="GET", status="404") == 1
    assert grew("closeness_decisions_total", recommendation="consider_walking_away", urgent="false") == 1
    assert grew("closeness_rule_firings_total", rule="walk-away-neither-willing") == 1
    assert grew("closeness_http_request_duration_seconds_count", endpoint="/v1/assessments") == 2


def test_metrics_are_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"


def test_made_up_methods_share_one_label(client):
    for method in ("BREW", "PROPFIND", "X" * 40):
        client.open("/livez", method=method)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'method="other"' in text and "BREW" not in text and "PROPFIND" not in text


def test_counts_reach_the_shared_counters_within_a_second_without_a_scrape():
    import time

    from service.ops import metrics

    child = metrics._child(metrics.ALERTS, "dropped")
    before = child._value.get()
    metrics._counts.add(child, 3)
    deadline = time.monotonic() + 3 * metrics.FLUSH_SECONDS
    while child._value.get() == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child._value.get() == before + 3
