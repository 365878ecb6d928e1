"""POST /v1/assessments: answers in, an explained recommendation out."""

from flask import Blueprint, current_app, request

from service.errors import ApiError
from service.fhir import answers_from_body
from service.jsonio import parse_json
from service.metrics import record_decision

bp = Blueprint("assessments", __name__, url_prefix="/v1")
FHIR_JSON = "application/fhir+json"


@bp.post("/assessments")
def create_assessment():
    """Evaluate answers (JSON, or a FHIR QuestionnaireResponse) against the rules."""
    evaluator = current_app.extensions["closeness"]
    if request.mimetype == "application/json":
        result = evaluator.evaluate(parse_json(request.get_data(cache=False)))
    elif request.mimetype == FHIR_JSON:
        result = evaluator.evaluate_answers(answers_from_body(request.get_data(cache=False)))
    else:
        raise ApiError(
            415,
            "Send the answers as JSON (application/json) or as a FHIR QuestionnaireResponse "
            "(application/fhir+json).",
        )
    record_decision(result)
    return result
