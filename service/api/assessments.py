"""POST /v1/assessments: answers in, an explained recommendation out."""

from dataclasses import replace

import orjson
from flask import Blueprint, Response, request
from marshmallow import ValidationError

from schemas.contract import dump_result
from schemas.queries import assessment_query_schema
from service.api import openapi
from service.api.errors import ApiError
from service.api.fhir import decide_body
from service.api.jsonio import request_body
from service.api.recording import record
from service.api.services import services
from service.core.json_input import parse_json

bp = Blueprint("assessments", __name__, url_prefix="/v1")
FHIR_JSON = "application/fhir+json"


@bp.post("/assessments")
@openapi.documented(
    {
        "summary": "Evaluate answers against the rules",
        "description": (
            "An urgent safety concern decides on its own: the result is 200 and urgent even when other "
            "answers are missing or invalid, or keys are unknown. What was ignored (and any follow-up "
            "counted as yes because it was skipped) is listed in `warnings`, by question id, never with "
            "its value. Without an urgent concern, such answers get 422."
        ),
        "operationId": "createAssessment",
        "tags": ["assessments"],
        "parameters": [
            {
                "name": "explain",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["changes"]},
                "description": (
                    "changes: the result also says what it depends on (`would_change`): the smallest "
                    "changes to the answers that would lead to a less severe recommendation. JSON and "
                    "FHIR alike."
                ),
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": "Answers"},
                "application/fhir+json": {"schema": {"$ref": "#/components/schemas/QuestionnaireResponse"}},
            },
        },
        "responses": {
            **openapi.ok("Result", "The recommendation, its reasons and steps"),
            **openapi.errors("PayloadTooLarge", "UnsupportedMediaType"),
            **openapi.either_error("400", openapi.ERRORS["BadRequest"]),
            **openapi.either_error(
                "422", openapi.ERRORS["ValidationFailed"] + " FHIR input gets an OperationOutcome instead."
            ),
        },
    }
)
def create_assessment():
    """Evaluate answers (JSON, or a FHIR QuestionnaireResponse) against the rules."""
    evaluator = services().evaluator
    explain, refused = None, None
    if request.environ.get("QUERY_STRING"):  # most requests have no query at all
        try:
            explain = assessment_query_schema.load(request.args).get("explain")
        except ValidationError as error:
            refused = error.messages
    # The plain content type read as it is, without parsing the header; anything else by its mimetype.
    content_type = request.environ.get("CONTENT_TYPE")
    mimetype = "application/json" if content_type == "application/json" else request.mimetype
    if mimetype == "application/json":
        assessment, channel = evaluator.decide(parse_json(request_body(request))), "json"
    elif mimetype == FHIR_JSON:
        assessment, channel = decide_body(request_body(request)), "fhir"
    else:
        raise ApiError(
            415,
            "Send the answers as JSON (application/json) or as a FHIR QuestionnaireResponse "
            "(application/fhir+json).",
        )
    # A result with any safety signal (and its support) goes out whatever else was sent; ?explain is
    # then ignored. Without one, a bad value is a 400.
    if refused and not assessment.result.safety:
        raise ApiError(400, refused["explain"][0], refused, code="bad_request")
    result, headers = record(assessment, channel)
    if explain == "changes":
        changes = evaluator.would_change(assessment)
        if changes is not None:
            result = replace(result, would_change=changes)
    # The response made here, from the result's one dump: nothing for Flask to convert.
    return Response(orjson.dumps(dump_result(result)), 200, headers, mimetype="application/json")
