"""POST /v1/assessments: answers in, an explained recommendation out."""

from flask import Blueprint, current_app, g, request

from service.errors import ApiError
from service.fhir import decide_body
from service.jsonio import parse_json, request_body
from service.metrics import record_decision, record_log_failure

bp = Blueprint("assessments", __name__, url_prefix="/v1")
FHIR_JSON = "application/fhir+json"


@bp.post("/assessments")
def create_assessment():
    """Evaluate answers (JSON, or a FHIR QuestionnaireResponse) against the rules."""
    evaluator = current_app.extensions["closeness"]
    if request.mimetype == "application/json":
        assessment = evaluator.decide(parse_json(request_body(request)))
    elif request.mimetype == FHIR_JSON:
        assessment = decide_body(request_body(request))
    else:
        raise ApiError(
            415,
            "Send the answers as JSON (application/json) or as a FHIR QuestionnaireResponse "
            "(application/fhir+json).",
        )
    result, answers = assessment.result, assessment.answers
    record_decision(result)
    decision_log = current_app.extensions.get("closeness.log")
    if decision_log is None:
        return result
    decision_id = decision_log.record(result, answers, g.request_id)
    if decision_id is None:
        record_log_failure()  # the answer still goes out; the failure is logged, counted and on /readyz
        return result
    return {**result, "decision_id": decision_id}, 200, {"X-Decision-ID": decision_id}
