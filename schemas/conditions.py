"""Conditions as rule files write them, read into the typed model (schemas/model.py), with every
problem named by its key path."""

import difflib

from marshmallow import ValidationError, fields

from schemas.model import OPERATORS, All, Always, Answer, Any, Condition, Count, Derived
from schemas.questionnaire import DECLINED, load_questionnaire

# Which operators make sense for which question type.
OPERATORS_BY_TYPE = {
    "integer": ("is", "is_not", "in", "at_least", "at_most"),
    "boolean": ("is",),
    "choice": ("is", "is_not", "in"),
    "multi_choice": ("includes", "includes_any"),
    "safety": ("is", "is_not", "in"),
}
LIST_OPERATORS = ("in", "includes_any")


def _value_error(question, value) -> str | None:
    """Why value cannot be an answer to question, or None. Never repeats client input: rule data only."""
    if question.type == "integer":
        if type(value) is not int or not question.minimum <= value <= question.maximum:
            return f"'{question.id}' takes whole numbers {question.minimum} to {question.maximum}"
    elif question.type == "boolean":
        if type(value) is not bool:
            return f"'{question.id}' is answered true or false"
    elif question.type == "safety":
        if type(value) is not bool and value != DECLINED:
            return f"'{question.id}' is answered true, false or \"{DECLINED}\""
    elif type(value) is not str or value not in question.values:
        hint = " (quote it: YAML reads a bare yes/no as true/false)" if type(value) is bool else ""
        return f"'{question.id}' takes one of {', '.join(question.values)}{hint}"
    return None


def nearest(value, valid) -> str:
    """The bad value quoted, and the closest valid one when there is a close one."""
    close = difflib.get_close_matches(str(value), list(valid), n=1, cutoff=0.6)
    return f"'{value}'" + (f" (did you mean '{close[0]}'?)" if close else "")


def read_condition(node, path: tuple = ()) -> tuple[Condition | None, list[tuple[tuple, str]]]:
    """A condition mapping from a rule file as typed nodes (schemas/model.py), or the problems
    with it as (key path, message) pairs. The one place that reads the grammar's keys."""
    if not isinstance(node, dict) or not node:
        return None, [(path, "a condition must be a mapping such as {answer: ..., is: ...}")]
    keys = set(node)
    if keys == {"always"}:
        return (
            (Always(), [])
            if node["always"] is True
            else (None, [(path + ("always",), "always must be true")])
        )
    if keys in ({"all"}, {"any"}):
        (key,) = keys
        items = node[key]
        if not isinstance(items, list) or not items:
            return None, [(path + (key,), f"'{key}' needs a non-empty list of conditions")]
        read = [read_condition(item, path + (key, i)) for i, item in enumerate(items)]
        problems = [p for _, found in read for p in found]
        if problems:
            return None, problems
        return (All if key == "all" else Any)(tuple(child for child, _ in read)), []
    if keys == {"derived"}:
        if not isinstance(node["derived"], str):
            return None, [(path, "derived names a derivation id")]
        return Derived(node["derived"]), []
    if keys == {"count", "at_least"}:
        if type(node["at_least"]) is not int or node["at_least"] < 1:
            return None, [(path + ("at_least",), "at_least must be a whole number of at least 1")]
        if not isinstance(node["count"], str):
            return None, [(path, "count names a derivation id")]
        return Count(node["count"], node["at_least"]), []
    if "answer" in keys:
        return _read_answer(node, path)
    return None, [(path, "unknown condition: use answer, all, any, count, derived or always")]


def _read_answer(node, path) -> tuple[Answer | None, list]:
    question = load_questionnaire().question(str(node["answer"]))
    if question is None:
        return None, [
            (path + ("answer",), "unknown question id " + nearest(node["answer"], load_questionnaire().ids))
        ]
    operators = set(node) - {"answer"}
    if len(operators) != 1 or not operators <= set(OPERATORS):
        return None, [(path, f"give exactly one of: {', '.join(OPERATORS)}")]
    (operator,) = operators
    if operator not in OPERATORS_BY_TYPE[question.type]:
        allowed = ", ".join(OPERATORS_BY_TYPE[question.type])
        return None, [
            (path + (operator,), f"'{operator}' does not fit a {question.type} question; use {allowed}")
        ]
    value = node[operator]
    if operator in LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            return None, [(path + (operator,), f"'{operator}' needs a non-empty list")]
        values = value
    else:
        values = [value]
    # A multi_choice condition compares one choice at a time, so its values are checked like a choice.
    problems = [(path + (operator,), p) for p in (_value_error(question, v) for v in values) if p][:1]
    if problems:
        return None, problems
    return Answer(question.id, operator, tuple(value) if isinstance(value, list) else value), []


class ConditionField(fields.Field):
    """A condition tree; see the README of rules/ for its grammar."""

    def _deserialize(self, value, attr, data, **kwargs):
        condition, problems = read_condition(value)
        if problems:
            raise ValidationError(nest_problems(problems))
        return condition


def nest_problems(problems):
    """Turn (path, message) pairs into marshmallow's nested error dict."""
    out: dict = {}
    for path, message in problems:
        if not path:
            out.setdefault("_condition", []).append(message)
            continue
        node = out
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node.setdefault(path[-1], []).append(message)
    return out or {"_condition": ["invalid condition"]}
