"""Prometheus metrics, summed across gunicorn workers (multiprocess mode with PROMETHEUS_MULTIPROC_DIR).

The counters and what records them; the HTTP side (a hook per request, GET /metrics) is
service/api/metrics.py."""

import os
from functools import cache

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from service.core.result import Result

REQUESTS = Counter(
    "closeness_http_requests_total",
    "HTTP requests by endpoint, method and status",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "closeness_http_request_duration_seconds",
    "Time spent answering HTTP requests",
    ["endpoint"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
DECISIONS = Counter("closeness_decisions_total", "Recommendations given", ["recommendation", "urgent"])
LOG_FAILURES = Counter(
    "closeness_decision_log_failures_total",
    "Failed calls to the decision log's database (the decisions wait in the spool and are retried)",
)
LOG_DROPS = Counter(
    "closeness_decision_log_dropped_total", "Decisions not recorded because the spool was full"
)
RULE_FIRINGS = Counter("closeness_rule_firings_total", "Rules reported as reasons, by rule id", ["rule"])
ALERTS = Counter(
    "closeness_alerts_total", "Urgent alerts to the webhook: delivered, retried, failed, dropped", ["outcome"]
)

# HTTP methods as labels: a fixed set, so that no client can grow the metrics with made-up methods.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@cache
def _child(metric, *labels):
    # labels() costs a lock and a lookup on every call; the set of label values is small and bounded.
    return metric.labels(*labels)


def record_decision(result: Result) -> None:
    _child(DECISIONS, result.recommendation, "true" if result.urgent else "false").inc()
    for reason in result.reasons:
        _child(RULE_FIRINGS, reason.rule).inc()


def record_log_failure() -> None:
    LOG_FAILURES.inc()


def record_log_drop() -> None:
    LOG_DROPS.inc()


def record_alert(outcome: str) -> None:
    _child(ALERTS, outcome).inc()


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    """One answered request: its route template (never the path) and a method from a fixed set."""
    _child(REQUESTS, endpoint, method if method in METHODS else "other", str(status)).inc()
    _child(LATENCY, endpoint).observe(seconds)


def exposition() -> tuple[bytes, str]:
    """Every metric in Prometheus text format, summed across workers when they share a folder."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    return generate_latest(registry), CONTENT_TYPE_LATEST
