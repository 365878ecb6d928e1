"""GET /metrics and the hook that counts every answered request (the counters: service/ops/metrics.py)."""

import time

from flask import Blueprint, Flask, Response, g, request

from service.api import openapi
from service.ops.metrics import exposition, observe_request

bp = Blueprint("metrics", __name__)


def _observe(response):
    # The route template, not the path: bounded label values whatever clients send.
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    started = g.get("started", time.perf_counter())
    observe_request(endpoint, request.method, response.status_code, time.perf_counter() - started)
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
    body, content_type = exposition()
    return Response(body, headers={"Content-Type": content_type})  # its charset once


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(_observe)
