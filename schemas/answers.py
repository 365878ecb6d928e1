"""AnswersSchema: questionnaire v1 answers, built from the questionnaire data."""

from marshmallow import fields

from schemas.base import BaseSchema, Choice, MultiChoice, StrictBoolean, StrictInteger
from schemas.questionnaire import Question, load_questionnaire


def _field(question: Question) -> fields.Field:
    presence = (
        {"required": True} if question.required else {"load_default": lambda q=question: _copy(q.default)}
    )
    presence["metadata"] = {"description": question.text}
    if not question.required:
        presence["metadata"]["default"] = question.default
    if question.type == "integer":
        return StrictInteger(question.minimum, question.maximum, **presence)
    if question.type == "boolean":
        return StrictBoolean(**presence)
    if question.type == "choice":
        return Choice(question.values, **presence)
    return MultiChoice(question.values, **presence)


def _copy(default):
    return list(default) if isinstance(default, list) else default


AnswersSchema = BaseSchema.from_dict(
    {q.id: _field(q) for q in load_questionnaire().questions}, name="AnswersSchema"
)

answers_schema = AnswersSchema()
