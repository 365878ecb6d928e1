"""GET /fhir/Questionnaire/closeness-v2, and QuestionnaireResponses decided like JSON answers."""

from flask import Blueprint, current_app, request

from schemas.questionnaire import load_questionnaire
from service.api import openapi
from service.api.services import services
from service.core.decision import Assessment
from service.core.exceptions import AnswersInvalid
from service.core.json_input import JsonInputError, parse_json
from service.interop.fhir_questionnaire import VERSIONS, questionnaire_resource
from service.interop.fhir_response import (
    FhirInvalid,
    ResponseReader,
    answers_invalid_issues,
    problems_by_item,
)

bp = Blueprint("fhir", __name__, url_prefix="/fhir")


@bp.get("/Questionnaire/<questionnaire_id>")
@openapi.documented(
    {
        "summary": "Publish the questionnaire as a FHIR Questionnaire",
        "operationId": "getFhirQuestionnaire",
        "tags": ["fhir"],
        "parameters": [
            {"name": "questionnaire_id", "in": "path", "required": True, "schema": {"type": "string"}},
            {
                "name": "fhirVersion",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["4.0", "4.0.1", "5.0", "5.0.0"], "default": "4.0"},
            },
        ],
        "responses": {
            "200": {
                "description": "The Questionnaire (R4 unless fhirVersion asks for R5)",
                "headers": openapi.REQUEST_ID_HEADER,
                "content": {"application/fhir+json": {"schema": {"type": "object"}}},
            },
            "400": {"description": "Unsupported fhirVersion", "content": openapi.FHIR_OUTCOME},
            "404": {"description": "No such Questionnaire", "content": openapi.FHIR_OUTCOME},
            **openapi.errors(),
        },
    }
)
def get_questionnaire(questionnaire_id: str):
    """Publish questionnaire v2 as a FHIR Questionnaire (R4; ?fhirVersion=5.0 for R5)."""
    if questionnaire_id != load_questionnaire().id:
        raise FhirInvalid(
            [("not-found", None, f"Only Questionnaire/{load_questionnaire().id} is published here.")], 404
        )
    release = VERSIONS.get(request.args.get("fhirVersion", "4.0"))
    if release is None:
        raise FhirInvalid([("not-supported", None, "fhirVersion is 4.0 (R4, the default) or 5.0 (R5).")], 400)
    resource = questionnaire_resource(current_app.config["FHIR_BASE"], release)
    response = current_app.json.response(resource)
    response.mimetype = "application/fhir+json"
    return response


def _reader() -> ResponseReader:
    return services().fhir_reader


def decide_response(resource) -> Assessment:
    """Decide a QuestionnaireResponse with the JSON rules; problems as an OperationOutcome.

    As with JSON, an urgent safety concern decides even from a partial or partly wrong response.
    """
    answers, issues = _reader().read(resource)
    try:
        return services().evaluator.decide(answers, problems_by_item(issues))
    except AnswersInvalid as error:
        raise FhirInvalid(answers_invalid_issues(error, issues), support=error.safety_resources) from None


def decide_body(body: bytes) -> Assessment:
    """Decide a request body holding a QuestionnaireResponse."""
    try:
        resource = parse_json(body)
    except JsonInputError as error:
        raise FhirInvalid([("structure", None, str(error))], status=400) from None
    return decide_response(resource)
