"""GET /livez and /readyz: is the process up, and can it decide?"""

from flask import Blueprint, current_app

from service.api import openapi, services
from service.api.errors import ApiError
from service.core.exceptions import ClosenessError

bp = Blueprint("health", __name__)


@bp.get("/livez")
@openapi.documented(
    {
        "summary": "Report that the process is up",
        "operationId": "getLiveness",
        "tags": ["health"],
        "responses": {**openapi.ok("Health", "The process is up"), **openapi.errors()},
    }
)
def get_liveness():
    """Report that the process is up."""
    return {"status": "live"}


@bp.get("/readyz")
@openapi.documented(
    {
        "summary": "Report whether the service can decide",
        "operationId": "getReadiness",
        "tags": ["health"],
        "responses": {
            **openapi.ok("Health", "Rulebook loaded and engine answering"),
            **openapi.errors("Unavailable"),
        },
    }
)
def get_readiness():
    """Report whether the rulebook is loaded and the engine answers a probe."""
    built = current_app.extensions.get(services.KEY)
    if built is None:
        raise ApiError(503, "The rulebook is not loaded.")
    evaluator = built.evaluator
    try:
        evaluator.assess(evaluator.rulebook.case_baseline)
    except ClosenessError:
        raise ApiError(503, "The rules engine did not answer its probe.") from None
    rulebook = evaluator.rulebook
    ready = {
        "status": "ready",
        "ruleset": rulebook.ref,
        # "defaults" until a deployment configures its local services (CLOSENESS_RESOURCES_FILE).
        "resources": built.resources,
    }
    alerts = built.alerts
    if alerts is not None:
        # Still deciding, but urgent alerts are not getting through: visible here and in /metrics.
        ready["alerts"] = "failing" if alerts.failing else "ok"
        if ready["alerts"] == "failing":
            ready["status"] = "degraded"
    decision_log = built.decision_log
    if decision_log is not None:
        # Still serving decisions, but the last write to the log failed: visible here and in /metrics.
        ready["decision_log"] = "ok" if decision_log.healthy else "failing"
        if not decision_log.healthy:
            ready["status"] = "degraded"
    return ready
