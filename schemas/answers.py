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


_QUESTIONS = load_questionnaire().questions
_REQUIRED = frozenset(q.id for q in _QUESTIONS if q.required)
_DEFAULTS = {q.id: q.default for q in _QUESTIONS if not q.required and q.default is not None}
_KNOWN = frozenset(q.id for q in _QUESTIONS)
_NO_DEFAULT = object()
# What each question accepts, checked inline below (a call per answer cost more than the checks).
_KINDS = ("boolean", "safety", "integer", "choice", "multi_choice")
_BOOLEAN, _SAFETY, _INTEGER, _CHOICE, _MULTI = range(len(_KINDS))
_PLAN = tuple(
    (
        q.id,
        _KINDS.index(q.type),
        (q.minimum, q.maximum) if q.type == "integer" else frozenset(q.values or ()),
        q.values,
        _DEFAULTS.get(q.id, _NO_DEFAULT),
    )
    for q in _QUESTIONS
)


def accept_plainly_valid(raw) -> dict | None:
    """The loaded answers when raw is valid at a glance, else None (then AnswersSchema decides).

    A shortcut for the common case, about 10x faster than AnswersSchema.load: it never refuses
    anything, and what it accepts it returns exactly as AnswersSchema.load would (a property test
    holds the two together). Every error message still comes from AnswersSchema.
    """
    if type(raw) is not dict or not _REQUIRED <= raw.keys() or not raw.keys() <= _KNOWN:
        return None
    answers = {}
    for key, kind, allowed, values, default in _PLAN:
        if key not in raw:
            if default is not _NO_DEFAULT:
                answers[key] = _copy(default)
            continue
        value = raw[key]
        kind_of_value = type(value)
        if kind == _BOOLEAN:
            if kind_of_value is not bool:
                return None
        elif kind == _SAFETY:
            if kind_of_value is not bool and value != DECLINED:
                return None
        elif kind == _CHOICE:
            if kind_of_value is not str or value not in allowed:
                return None
        elif kind == _INTEGER:
            if kind_of_value is not int or not allowed[0] <= value <= allowed[1]:
                return None
        else:  # multiple choice: known options, each once, kept in the questionnaire's order
            if kind_of_value is not list:
                return None
            for item in value:
                if type(item) is not str or item not in allowed:
                    return None
            if len(set(value)) != len(value):
                return None
            value = [choice for choice in values if choice in value]
        answers[key] = value
    return answers
