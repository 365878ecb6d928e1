"""GET /v1/rules and /v1/rules/<id>: the loaded rulebook, for reviewers and auditors."""

from flask import Blueprint, Response

from service.api import openapi
from service.api.errors import ApiError
from service.api.questionnaire_page import cite
from service.api.services import services
from service.core.rulebook import Entry, Rulebook

bp = Blueprint("rules", __name__, url_prefix="/v1")
html_bp = Blueprint("rulebook", __name__)


def _rulebook() -> Rulebook:
    return services().rulebook


def _ruleset(rulebook: Rulebook) -> dict:
    return rulebook.ref


def _describe(entry: Entry, rulebook: Rulebook) -> dict:
    definition = {
        k: v
        for k, v in entry.spec.source.items()
        if k not in ("kind", "id", "title", "explanation", "section")
    }
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.spec.title,
        "explanation": entry.spec.explanation,
        "cites": cite(entry.spec.section),
        "file": entry.path.relative_to(rulebook.directory).as_posix(),
        "definition": definition,
    }


@bp.get("/rules")
@openapi.documented(
    {
        "summary": "List the rulebook",
        "operationId": "listRules",
        "tags": ["rules"],
        "responses": {
            **openapi.ok("Rulebook", "Every rule, outcome level and derivation"),
            **openapi.errors(),
        },
    }
)
def list_rules():
    """List every rule, outcome level and derivation of the loaded rulebook."""
    rulebook = _rulebook()
    return {
        "ruleset": _ruleset(rulebook),
        "rules": [_describe(e, rulebook) for e in rulebook.entries.values()],
    }


@html_bp.get("/rules")
@openapi.documented(
    {
        "summary": "The rulebook as a readable HTML document",
        "operationId": "showRulebook",
        "tags": ["rules"],
        "responses": {**openapi.text("HTML document", "text/html"), **openapi.errors()},
    }
)
def show_rulebook():
    """Show the rulebook as a document an auditor can read."""
    response = Response(services().report_html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    return response


@bp.get("/rules/<rule_id>")
@openapi.documented(
    {
        "summary": "Describe one rule",
        "operationId": "getRule",
        "tags": ["rules"],
        "parameters": [{"name": "rule_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            **openapi.ok("RuleDetail", "The rule with the rulebook's version and digest"),
            **openapi.errors("NotFound"),
        },
    }
)
def get_rule(rule_id: str):
    """Describe one rule."""
    rulebook = _rulebook()
    entry = rulebook.entries.get(rule_id)
    if entry is None:
        raise ApiError(404, "No rule with this id; GET /v1/rules lists them.")
    return {**_describe(entry, rulebook), "ruleset": _ruleset(rulebook)}
