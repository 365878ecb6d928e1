"""GET /fhir/Questionnaire/closeness-v1: the questionnaire as a FHIR resource."""

from flask import Blueprint, current_app, request

from schemas.questionnaire import load_questionnaire
from service.exceptions import AnswersInvalid
from service.fhir_questionnaire import VERSIONS, questionnaire_resource
from service.fhir_response import FhirInvalid, ResponseReader, answers_invalid_issues
from service.jsonio import JsonInputError, parse_json

bp = Blueprint("fhir", __name__, url_prefix="/fhir")


@bp.get("/Questionnaire/<questionnaire_id>")
def get_questionnaire(questionnaire_id: str):
    """Publish questionnaire v1 as a FHIR Questionnaire (R4; ?fhirVersion=5.0 for R5)."""
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


def checked_answers(resource) -> dict:
    """Validated answers from a QuestionnaireResponse; every problem as an OperationOutcome issue."""
    reader = current_app.extensions.get("closeness.fhir_reader")
    if reader is None:
        reader = current_app.extensions["closeness.fhir_reader"] = ResponseReader(
            current_app.config["FHIR_BASE"]
        )
    try:
        return current_app.extensions["closeness"].validate(reader.answers(resource))
    except AnswersInvalid as error:
        raise FhirInvalid(answers_invalid_issues(error)) from None


def answers_from_body(body: bytes) -> dict:
    """Validated answers from a request body holding a QuestionnaireResponse."""
    try:
        resource = parse_json(body)
    except JsonInputError as error:
        raise FhirInvalid([("structure", None, str(error))], status=400) from None
    return checked_answers(resource)
