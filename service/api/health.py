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
        evaluator.decide(evaluator.rulebook.case_baseline)
    except ClosenessError:
        raise ApiError(503, "The rules engine did not answer its probe.") from None
    rulebook = evaluator.rulebook
    ready = {
        "status": "ready",
        "ruleset": rulebook.ref,
        # "defaults" until a deployment configures its local services (CLOSENESS_RESOURCES_FILE).
        "resources": built.resources,
    }
    if built.intake_without_alerts:
        # Intake mode relies on the practice seeing urgent results: without alerts, nobody is told.
        ready["alerts"] = "not configured in intake mode"
    alerts = built.alerts
    if alerts is not None:
        # Still deciding, but urgent alerts are not getting through: visible here and in /metrics.
        ready["alerts"] = "failing" if alerts.failing else "ok"
        if ready["alerts"] == "failing":
            ready["status"] = "degraded"
    decision_log = built.decision_log
    if decision_log is not None:
        # Decisions go to the spool, then to the database: a database away is "degraded" (decisions
        # wait in the spool) unless CLOSENESS_READY_REQUIRES_DATABASE; a full spool drops decisions.
        state = decision_log.spool.state()
        # Not the backlog's size: /readyz is public, and its rise and fall would time each decision
        # (a partner's answers included). A waiting backlog is visible as "degraded".
        ready["decision_log"] = {key: value for key, value in state.items() if key != "backlog_bytes"}
        if state["spool"] != "ok":
            message = {
                "full": "The decision spool is full: decisions are not being recorded.",
                "gone": "The decision spool was deleted: decisions could be lost.",
            }[state["spool"]]
            raise ApiError(503, message, {"checks": [ready]})
        if state["database"] == "unreachable":
            if current_app.config["READY_REQUIRES_DATABASE"]:
                raise ApiError(503, "The decision log's database is not answering.", {"checks": [ready]})
            ready["status"] = "degraded"
    return ready
