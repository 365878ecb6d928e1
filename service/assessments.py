"""POST /v1/assessments: answers in, an explained recommendation out."""

from flask import Blueprint, current_app, request

from service.errors import ApiError
from service.jsonio import parse_json
from service.metrics import record_decision

bp = Blueprint("assessments", __name__, url_prefix="/v1")
JSON_TYPES = ("application/json",)


@bp.post("/assessments")
def create_assessment():
    """Evaluate answers against the rules."""
    if request.mimetype not in JSON_TYPES:
        raise ApiError(415, "Send the answers as JSON with Content-Type: application/json.")
    answers = parse_json(request.get_data(cache=False))
    result = current_app.extensions["closeness"].evaluate(answers)
    record_decision(result)
    return result
