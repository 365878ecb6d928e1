"""CDS Hooks: discovery and one service that turns a QuestionnaireResponse into a decision card."""

import uuid

from flask import Blueprint, current_app, request, url_for

from schemas.questionnaire import article_sections
from service.errors import ApiError
from service.fhir import checked_answers
from service.fhir_questionnaire import canonical_url
from service.jsonio import parse_json, request_body
from service.metrics import record_decision
from service.sentences import RECOMMENDATION_WORDS

bp = Blueprint("cds_hooks", __name__, url_prefix="/cds-services")
SERVICE_ID = "closeness-intimacy"
HOOK = "patient-view"
INDICATOR = {"consider_walking_away": "warning", "professional_help": "warning", "rebuild": "info"}
DESCRIPTION = (
    "Reads the patient's latest Closeness QuestionnaireResponse and returns one explained recommendation "
    "(rebuild, counseling, or consider walking away), with safety concerns flagged as critical."
)


def _service() -> dict:
    questionnaire = canonical_url(current_app.config["FHIR_BASE"])
    return {
        "id": SERVICE_ID,
        "hook": HOOK,
        "title": "Closeness: emotional intimacy check",
        "description": DESCRIPTION,
        "prefetch": {
            "questionnaireResponse": f"QuestionnaireResponse?questionnaire={questionnaire}"
            "&subject={{context.patientId}}&_sort=-authored&_count=1"
        },
    }


@bp.get("")
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
        return f"{base}#{level['section']}"
    # No article address configured: the outcome level's own page, which names its cited section.
    return url_for("rules.get_rule", rule_id=level.id, _external=True)


def _card(result: dict) -> dict:
    rulebook = current_app.extensions["closeness"].rulebook
    level = rulebook.entries[result["reasons"][0]["rule"]]
    sections = article_sections()
    lines = [
        f"**Recommendation:** {RECOMMENDATION_WORDS[result['recommendation']].capitalize()}"
        + (" (urgent)" if result["urgent"] else ""),
        "",
        result["summary"],
        "",
    ]
    if result["resources"]:
        lines += [
            "**Safety resources**",
            *[f"- **{r['name']}**: {r['description']}" for r in result["resources"]],
            "",
        ]
    lines.append("**Why**")
    lines += [
        f"- {r['title']}: {r['explanation']} _({sections[r['section']]['title']})_" for r in result["reasons"]
    ]
    if result["steps"]:
        lines += ["", "**Suggested steps**", *[f"- **{s['title']}**: {s['advice']}" for s in result["steps"]]]
    if result["also_consider"]:
        also = ", ".join(RECOMMENDATION_WORDS[r] for r in result["also_consider"])
        lines += ["", f"**Also consider:** {also}"]
    lines += [
        "",
        f"_{result['notice']}_",
        "",
        f"Rulebook {result['ruleset']['version']} ({result['ruleset']['digest'][:19]})",
    ]
    return {
        "uuid": str(uuid.uuid4()),
        "summary": level["clinician_summary"],
        "indicator": "critical" if result["urgent"] else INDICATOR[result["recommendation"]],
        "detail": "\n".join(lines),
        "source": {
            "label": f"Closeness: {sections[level['section']]['title']}",
            "url": _section_link(level),
        },
        "links": [
            {
                "label": "How Closeness decides (API and rulebook)",
                "url": url_for("docs.get_docs", _external=True),
                "type": "absolute",
            }
        ],
    }


@bp.post("/<service_id>")
def call_service(service_id: str):
    """Answer a CDS Hooks request with one card for the patient's latest QuestionnaireResponse."""
    if service_id != SERVICE_ID:
        raise ApiError(404, f"No CDS service with this id; GET /cds-services lists them ({SERVICE_ID}).")
    if request.mimetype != "application/json":
        raise ApiError(415, "Send the CDS Hooks request as JSON with Content-Type: application/json.")
    hook_request = parse_json(request_body(request))
    problems = {}
    if not isinstance(hook_request, dict):
        raise ApiError(400, "A CDS Hooks request is a JSON object.", code="bad_request")
    for field, kind in (("hook", str), ("hookInstance", str), ("context", dict)):
        if not isinstance(hook_request.get(field), kind):
            problems[field] = [f"'{field}' is required ({'a string' if kind is str else 'an object'})."]
    if "prefetch" in hook_request and not isinstance(hook_request["prefetch"], dict):
        problems["prefetch"] = ["'prefetch' is an object."]
    if not problems and hook_request["hook"] != HOOK:
        problems["hook"] = [f"This service answers the {HOOK} hook."]
    if problems:
        raise ApiError(400, "The CDS Hooks request is incomplete.", problems, code="bad_request")
    resource = _questionnaire_response(hook_request)
    if resource is None:
        # CDS Hooks: data the service needs was neither prefetched nor fetchable -> 412.
        raise ApiError(
            412,
            "No QuestionnaireResponse in context or prefetch; prefetch 'questionnaireResponse'.",
            code="precondition_failed",
        )
    result = current_app.extensions["closeness"].evaluate_answers(checked_answers(resource))
    record_decision(result)
    return {"cards": [_card(result)]}
