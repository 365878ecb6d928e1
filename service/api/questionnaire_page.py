"""GET /v1/questionnaire: the questions as data, enough for a form builder to render them."""

from functools import cache

from flask import Blueprint

from schemas.questionnaire import Question, article_sections, load_questionnaire
from service.api import openapi

bp = Blueprint("questionnaire", __name__, url_prefix="/v1")
BOOLEAN_LABELS = (("Yes", True), ("No", False))
SAFETY_LABELS = (("Yes", True), ("No", False), ("I'd rather not say", "declined"))


def cite(section_id: str) -> dict:
    return {"id": section_id, "title": article_sections()[section_id]["title"]}


def answer_options(question: Question) -> list[dict]:
    if question.type == "integer":
        return [{"value": value, "label": label} for value, label in sorted(question.labels.items())]
    if question.type in ("boolean", "safety"):
        labels = SAFETY_LABELS if question.type == "safety" else BOOLEAN_LABELS
        return [{"value": value, "label": label} for label, value in labels]
    return [
        {"value": o.value, "label": o.label, **({"cites": cite(o.section)} if o.section else {})}
        for o in question.options
    ]


def _question(question: Question) -> dict:
    out = {
        "id": question.id,
        "text": question.text,
        "type": question.type,
        "required": question.required,
        "basis": question.basis,
    }
    if question.follow_up_of:
        out["follow_up_of"] = list(question.follow_up_of)
    if not question.required and question.default is not None:
        out["default"] = question.default
    if question.type == "integer":
        out["minimum"], out["maximum"] = question.minimum, question.maximum
    out["options"] = answer_options(question)
    out["cites"] = cite(question.section)
    return out


@cache
def questionnaire_document() -> dict:
    """Questionnaire v2 grouped by section, with its intro, labels and citations."""
    questionnaire = load_questionnaire()
    sections = []
    for group in questionnaire.groups:
        section = {"id": group.id, "title": group.title}
        if group.intro:
            section["intro"] = group.intro
        section["basis"] = group.basis
        section["cites"] = cite(group.section)
        section["questions"] = [_question(q) for q in questionnaire.questions if q.group == group.id]
        sections.append(section)
    return {
        "id": questionnaire.id,
        "version": questionnaire.version,
        "title": questionnaire.title,
        "intro": [dict(paragraph) for paragraph in questionnaire.intro],
        "sections": sections,
    }


@bp.get("/questionnaire")
@openapi.documented(
    {
        "summary": "Describe the questionnaire",
        "operationId": "getQuestionnaire",
        "tags": ["questionnaire"],
        "responses": {
            **openapi.ok("Questionnaire", "Questionnaire v2 grouped by section"),
            **openapi.errors(),
        },
    }
)
def get_questionnaire():
    """Describe the questionnaire."""
    return questionnaire_document()
