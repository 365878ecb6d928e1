"""Prometheus metrics, summed across gunicorn workers (multiprocess mode with PROMETHEUS_MULTIPROC_DIR)."""

import os
import time

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

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
RULE_FIRINGS = Counter("closeness_rule_firings_total", "Rules reported as reasons, by rule id", ["rule"])

bp = Blueprint("metrics", __name__)


def record_decision(result: dict) -> None:
    DECISIONS.labels(result["recommendation"], str(result["urgent"]).lower()).inc()
    for reason in result["reasons"]:
        RULE_FIRINGS.labels(reason["rule"]).inc()


def _observe(response):
    # The route template, not the path: bounded label values whatever clients send.
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    LATENCY.labels(endpoint).observe(time.perf_counter() - g.get("started", time.perf_counter()))
    return response


@bp.get("/metrics")
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
