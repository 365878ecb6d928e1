"""AnswersSchema: questionnaire v2 answers, built from the questionnaire data."""

from marshmallow import fields

from schemas.base import BaseSchema, Choice, MultiChoice, SafetyAnswer, StrictBoolean, StrictInteger
from schemas.questionnaire import DECLINED, Question, load_questionnaire


def _field(question: Question) -> fields.Field:
    presence = (
        {"required": True} if question.required else {"load_default": lambda q=question: _copy(q.default)}
    )
    presence["metadata"] = {"description": question.text}
    if not question.required and question.default is not None:
        presence["metadata"]["default"] = question.default
    if question.type == "safety":
        if not question.required:  # follow-ups have no default: absent means not asked
            presence = {"metadata": presence["metadata"]}
        return SafetyAnswer(**presence)
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


def _plain_check(question: Question):
    """A predicate for one answer that is true exactly where the question's field accepts it."""
    if question.type == "safety":
        return lambda v: type(v) is bool or v == DECLINED
    if question.type == "integer":
        low, high = question.minimum, question.maximum
        return lambda v: type(v) is int and low <= v <= high
    if question.type == "boolean":
        return lambda v: type(v) is bool
    allowed = frozenset(question.values)
    if question.type == "choice":
        return lambda v: type(v) is str and v in allowed
    return lambda v: (
        type(v) is list and all(type(i) is str and i in allowed for i in v) and len(set(v)) == len(v)
    )


_QUESTIONS = load_questionnaire().questions
_CHECKS = {q.id: _plain_check(q) for q in _QUESTIONS}
_REQUIRED = frozenset(q.id for q in _QUESTIONS if q.required)
_MULTI = {q.id: q.values for q in _QUESTIONS if q.type == "multi_choice"}
_DEFAULTS = {q.id: q.default for q in _QUESTIONS if not q.required and q.default is not None}
_KNOWN = frozenset(_CHECKS)


def accept_plainly_valid(raw) -> dict | None:
    """The loaded answers when raw is valid at a glance, else None (then AnswersSchema decides).

    A shortcut for the common case, about 10x faster than AnswersSchema.load: it never refuses
    anything, and what it accepts it returns exactly as AnswersSchema.load would (a property test
    holds the two together). Every error message still comes from AnswersSchema.
    """
    if type(raw) is not dict or not _REQUIRED <= raw.keys() or not raw.keys() <= _KNOWN:
        return None
    answers = {}
    for key, check in _CHECKS.items():
        if key in raw:
            value = raw[key]
            if not check(value):
                return None
            answers[key] = [choice for choice in _MULTI[key] if choice in value] if key in _MULTI else value
        elif key in _DEFAULTS:
            answers[key] = _copy(_DEFAULTS[key])
    return answers
