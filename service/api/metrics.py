"""GET /metrics (the counters: service/ops/metrics.py; service/api/middleware.py counts each request)."""

from flask import Blueprint, Flask, Response

from service.api import openapi
from service.ops.metrics import exposition

bp = Blueprint("metrics", __name__)


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
