"""GET /v1/rules and /v1/rules/<id>: the loaded rulebook, for reviewers and auditors."""

from flask import Blueprint, current_app

from service.errors import ApiError
from service.questionnaire import cite
from service.rulebook import Entry, Rulebook

bp = Blueprint("rules", __name__, url_prefix="/v1")


def _rulebook() -> Rulebook:
    return current_app.extensions["closeness"].rulebook


def _ruleset(rulebook: Rulebook) -> dict:
    return {"version": rulebook.version, "digest": rulebook.digest}


def _describe(entry: Entry, rulebook: Rulebook) -> dict:
    definition = {
        k: v for k, v in entry.data.items() if k not in ("kind", "id", "title", "explanation", "section")
    }
    return {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry["title"],
        "explanation": entry["explanation"],
        "cites": cite(entry["section"]),
        "file": entry.path.relative_to(rulebook.directory).as_posix(),
        "definition": definition,
    }


@bp.get("/rules")
def list_rules():
    """List every rule, outcome level and derivation of the loaded rulebook."""
    rulebook = _rulebook()
    return {
        "ruleset": _ruleset(rulebook),
        "rules": [_describe(e, rulebook) for e in rulebook.entries.values()],
    }


@bp.get("/rules/<rule_id>")
def get_rule(rule_id: str):
    """Describe one rule."""
    rulebook = _rulebook()
    entry = rulebook.entries.get(rule_id)
    if entry is None:
        raise ApiError(404, "No rule with this id; GET /v1/rules lists them.")
    return {**_describe(entry, rulebook), "ruleset": _ruleset(rulebook)}
