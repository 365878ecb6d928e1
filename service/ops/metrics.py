"""Prometheus metrics, summed across gunicorn workers (multiprocess mode with PROMETHEUS_MULTIPROC_DIR)."""

import os
import time
from functools import cache

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from service.api import openapi

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

bp = Blueprint("metrics", __name__)


@cache
def _child(metric, *labels):
    # labels() costs a lock and a lookup on every call; the set of label values is small and bounded.
    return metric.labels(*labels)


def record_decision(result: dict) -> None:
    _child(DECISIONS, result["recommendation"], "true" if result["urgent"] else "false").inc()
    for reason in result["reasons"]:
        _child(RULE_FIRINGS, reason["rule"]).inc()


def record_log_failure() -> None:
    LOG_FAILURES.inc()


def record_log_drop() -> None:
    LOG_DROPS.inc()


def record_alert(outcome: str) -> None:
    _child(ALERTS, outcome).inc()


def _observe(response):
    # The route template, not the path: bounded label values whatever clients send.
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    method = request.method if request.method in METHODS else "other"
    _child(REQUESTS, endpoint, method, str(response.status_code)).inc()
    _child(LATENCY, endpoint).observe(time.perf_counter() - g.get("started", time.perf_counter()))
    return response


@bp.get("/metrics")
@openapi.documented(
    {
        "summary": "Metrics in Prometheus text format",
        "operationId": "getMetrics",
        "tags": ["health"],
        "responses": {**openapi.text("Prometheus exposition format", "text/plain"), **openapi.errors()},
    }
)
def get_metrics():
    """Expose the metrics in Prometheus text format."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(_observe)
