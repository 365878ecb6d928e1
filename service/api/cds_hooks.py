"""CDS Hooks: discovery and one service that turns a QuestionnaireResponse into a decision card (the
card itself: service/interop/cds_cards.py)."""

from flask import Blueprint, current_app, request, url_for
from marshmallow import ValidationError

from schemas.queries import CDS_HOOK, cds_request_schema
from service.api import openapi
from service.api.errors import ApiError
from service.api.fhir import decide_response
from service.api.jsonio import request_body
from service.api.recording import record
from service.api.services import services
from service.core.json_input import parse_json
from service.interop.cds_cards import DESCRIPTION, card
from service.interop.fhir_questionnaire import canonical_url

bp = Blueprint("cds_hooks", __name__, url_prefix="/cds-services")
SERVICE_ID = "closeness-intimacy"


def _service() -> dict:
    questionnaire = canonical_url(current_app.config["FHIR_BASE"])
    return {
        "id": SERVICE_ID,
        "hook": CDS_HOOK,
        "title": "Closeness: emotional intimacy check",
        "description": DESCRIPTION,
        "prefetch": {
            "questionnaireResponse": f"QuestionnaireResponse?questionnaire={questionnaire}"
            "&subject={{context.patientId}}&_sort=-authored&_count=1"
        },
    }


@bp.get("")
@openapi.documented(
    {
        "summary": "Describe the CDS services (CDS Hooks discovery)",
        "operationId": "listCdsServices",
        "tags": ["cds-hooks"],
        "responses": {**openapi.ok("CdsDiscovery", "The services offered"), **openapi.errors()},
    }
)
def list_services():
    """Describe the CDS services offered (CDS Hooks discovery)."""
    return {"services": [_service()]}


def _questionnaire_response(hook_request: dict):
    """The QuestionnaireResponse from the context or the prefetch (a resource or a search Bundle)."""
    candidates = [hook_request["context"].get("questionnaireResponse")]
    candidates.append((hook_request.get("prefetch") or {}).get("questionnaireResponse"))
    for candidate in candidates:
        if isinstance(candidate, dict) and candidate.get("resourceType") == "Bundle":
            entries = [e.get("resource") for e in candidate.get("entry") or [] if isinstance(e, dict)]
            candidate = next((r for r in entries if isinstance(r, dict)), None)
        if isinstance(candidate, dict):
            return candidate
    return None


def _section_link(level) -> str:
    base = current_app.config["ARTICLE_BASE_URL"]
    if base:
        return f"{base}#{level.section}"
    # No article address configured: the outcome level's own page, which names its cited section.
    return url_for("rules.get_rule", rule_id=level.id, _external=True)


@bp.post("/<service_id>")
@openapi.documented(
    {
        "summary": "Answer a CDS Hooks request with one decision card",
        "operationId": "callCdsService",
        "tags": ["cds-hooks"],
        "parameters": [{"name": "service_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, **openapi.json_body("CdsRequest")},
        "responses": {
            **openapi.ok("CdsResponse", "One card for the patient's latest QuestionnaireResponse"),
            **openapi.errors(
                "BadRequest", "NotFound", "PreconditionFailed", "PayloadTooLarge", "UnsupportedMediaType"
            ),
            "422": {
                "description": "The QuestionnaireResponse cannot be used",
                "content": openapi.FHIR_OUTCOME,
            },
        },
    }
)
def call_service(service_id: str):
    """Answer a CDS Hooks request with one card for the patient's latest QuestionnaireResponse."""
    if service_id != SERVICE_ID:
        raise ApiError(404, f"No CDS service with this id; GET /cds-services lists them ({SERVICE_ID}).")
    if request.mimetype != "application/json":
        raise ApiError(415, "Send the CDS Hooks request as JSON with Content-Type: application/json.")
    hook_request = parse_json(request_body(request))
    if not isinstance(hook_request, dict):
        raise ApiError(400, "A CDS Hooks request is a JSON object.", code="bad_request")
    try:
        hook_request = cds_request_schema.load(hook_request)
    except ValidationError as error:
        raise ApiError(
            400, "The CDS Hooks request is incomplete.", error.messages, code="bad_request"
        ) from None
    resource = _questionnaire_response(hook_request)
    if resource is None:
        # CDS Hooks: data the service needs was neither prefetched nor fetchable -> 412.
        raise ApiError(
            412,
            "No QuestionnaireResponse in context or prefetch; prefetch 'questionnaireResponse'.",
            code="precondition_failed",
        )
    assessment = decide_response(resource)
    result, headers = record(assessment, "cds-hooks")
    built = services()
    resolver = built.evaluator.resolver
    made = card(
        result,
        assessment.answers,
        built.evaluator.would_change(assessment),
        topics=resolver.topics,
        words=resolver.clinician_words,
        source_url=_section_link(result.level),
        docs_url=url_for("docs.get_docs", _external=True),
    )
    return {"cards": [made]}, 200, headers
