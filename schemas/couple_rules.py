"""Couple rules (rules/couple/, shared/spec/couple-mode.md): joint levels over two partners' facts, the
joint view's fixed words, and the two-person cases beside each level, read into typed objects.

A joint level's `when` is a pair condition: `both:` or `either:` wraps a partner condition, and
`all:`/`any:`/`always:` combine them. A partner condition is an answer condition (the individual
grammar: `{answer: self_willing, is: "no"}`), a fact of that partner's own result
(`{result: recommendation, is_not: rebuild}`, `{result: safety_signal, is: true}`), or of the
pair's memory (`{history: signal_before, is: true}`, `{history: withdrew, is: true}`), combined
with `all:`/`any:`.
"""

from dataclasses import dataclass, field

from marshmallow import ValidationError, fields, post_load, validate

from schemas.base import StrictBoolean, StrictInteger
from schemas.conditions import nest_problems, read_condition
from schemas.model import All, Always, Answer, Any
from schemas.rulefile import BASES, KEBAB, RECOMMENDATIONS, SNAKE, FileSchema, required_text

ROLES = ("a", "b")
# The partner facts a joint rule may read besides answers: name -> the values it takes.
RESULT_FACTS = {"recommendation": RECOMMENDATIONS, "safety_signal": (True, False)}
HISTORY_FACTS = {"signal_before": (True, False), "withdrew": (True, False)}
FACT_OPERATORS = ("is", "is_not", "in")


@dataclass(frozen=True)
class Fact:
    """A partner fact that is not an answer: `{result|history: NAME, <operator>: value}`."""

    namespace: str  # result or history
    name: str
    operator: str
    value: object

    @property
    def values(self) -> tuple:
        return tuple(self.value) if self.operator == "in" else (self.value,)


@dataclass(frozen=True)
class Both:
    partner: object  # a partner condition: Answer, Fact, All or Any of them


@dataclass(frozen=True)
class Either:
    partner: object


PairCondition = Both | Either | All | Any | Always


@dataclass(frozen=True)
class JointLevel:
    """One joint level: first that holds (lowest priority) wins."""

    id: str
    level: str
    priority: int
    title: str
    text: str
    explanation: str
    section: str
    basis: str
    when: PairCondition
    gate: bool  # the safety gate: no comparison, no steps, nothing that says who or what
    steps: bool  # joint steps are given with this level
    source: dict = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class JointWords:
    """What every joint view says (`notice`), the questionnaire's limits, and the joint steps' rule."""

    notice: str
    limits: tuple[str, ...]
    gap_step: str  # the step given first, for both, exactly when there is a perception gap
    gap_words: dict  # how the comparison names a perception gap's `thinks` values that need words
    source: dict = field(compare=False, repr=False, default_factory=dict)


@dataclass(frozen=True)
class CoupleCase:
    """Two answer sets (changed from the baseline), the pair's memory, and the expected joint level."""

    name: str
    a: dict
    b: dict
    level: str
    history: dict = field(default_factory=dict)  # {signal_before: a|b, withdrew: a|b}


def _read_fact(node, path) -> tuple[Fact | None, list]:
    (namespace,) = {"result", "history"} & set(node)
    known = RESULT_FACTS if namespace == "result" else HISTORY_FACTS
    name = node[namespace]
    if name not in known:
        return None, [(path + (namespace,), f"unknown {namespace} fact; use {', '.join(known)}")]
    operators = set(node) - {namespace}
    if len(operators) != 1 or not operators <= set(FACT_OPERATORS):
        return None, [(path, f"give exactly one of: {', '.join(FACT_OPERATORS)}")]
    (operator,) = operators
    value = node[operator]
    values = value if operator == "in" else [value]
    if operator == "in" and (not isinstance(value, list) or not value):
        return None, [(path + (operator,), "'in' needs a non-empty list")]
    for item in values:
        if not any(item is allowed or (type(item) is str and item == allowed) for allowed in known[name]):
            return None, [(path + (operator,), f"'{name}' takes {', '.join(map(str, known[name]))}")]
    return Fact(namespace, name, operator, tuple(value) if operator == "in" else value), []


def read_partner_condition(node, path: tuple = ()) -> tuple[object | None, list]:
    """A partner condition: answer, result or history facts, combined with all/any."""
    if isinstance(node, dict) and ({"result", "history"} & set(node)) and "answer" not in node:
        return _read_fact(node, path)
    if isinstance(node, dict) and set(node) in ({"all"}, {"any"}):
        (key,) = set(node)
        items = node[key]
        if not isinstance(items, list) or not items:
            return None, [(path + (key,), f"'{key}' needs a non-empty list of conditions")]
        read = [read_partner_condition(item, path + (key, i)) for i, item in enumerate(items)]
        problems = [p for _, found in read for p in found]
        return (
            (None, problems) if problems else ((All if key == "all" else Any)(tuple(c for c, _ in read)), [])
        )
    condition, problems = read_condition(node, path)
    if condition is not None and not isinstance(condition, Answer):
        return None, [
            (path, "a partner condition is an answer, result or history condition, or all/any of them")
        ]
    return condition, problems


def read_pair_condition(node, path: tuple = ()) -> tuple[PairCondition | None, list]:
    """A pair condition: both/either of a partner condition, combined with all/any; or always."""
    if not isinstance(node, dict) or len(node) != 1:
        return None, [(path, "a pair condition is one of: both, either, all, any, always")]
    ((key, value),) = node.items()
    if key in ("both", "either"):
        partner, problems = read_partner_condition(value, path + (key,))
        return (None, problems) if problems else ((Both if key == "both" else Either)(partner), [])
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            return None, [(path + (key,), f"'{key}' needs a non-empty list of conditions")]
        read = [read_pair_condition(item, path + (key, i)) for i, item in enumerate(value)]
        problems = [p for _, found in read for p in found]
        return (
            (None, problems) if problems else ((All if key == "all" else Any)(tuple(c for c, _ in read)), [])
        )
    if key == "always" and value is True:
        return Always(), []
    return None, [(path, "a pair condition is one of: both, either, all, any, always")]


class PairConditionField(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        condition, problems = read_pair_condition(value)
        if problems:
            raise ValidationError(nest_problems(problems))
        return condition


class JointLevelSchema(FileSchema):
    kind = fields.String(required=True, validate=validate.Equal("joint_level"))
    id = fields.String(required=True, validate=validate.Regexp(KEBAB, error="id must be kebab-case"))
    level = fields.String(required=True, validate=validate.Regexp(SNAKE, error="a level is snake_case"))
    priority = StrictInteger(1, 1000, required=True)
    title = required_text()
    text = required_text()
    explanation = required_text()
    section = required_text()
    basis = fields.String(required=True, validate=validate.OneOf(BASES))
    gate = StrictBoolean(load_default=False)
    steps = StrictBoolean(required=True)
    when = PairConditionField(required=True)

    @post_load(pass_original=True)
    def _typed(self, data, original, **kwargs) -> JointLevel:
        data.pop("kind")
        return JointLevel(**data, source={**data, "kind": "joint_level", "when": original["when"]})


class JointWordsSchema(FileSchema):
    kind = fields.String(required=True, validate=validate.Equal("joint_words"))
    id = fields.String(required=True, validate=validate.Equal("joint-words", error="id must be joint-words"))
    notice = required_text()
    limits = fields.List(required_text(), required=True, validate=validate.Length(min=1))
    gap_step = fields.String(required=True, validate=validate.Regexp(KEBAB))
    gap_words = fields.Dict(keys=fields.String(), values=required_text(), required=True)

    @post_load(pass_original=True)
    def _typed(self, data, original, **kwargs) -> JointWords:
        return JointWords(
            data["notice"], tuple(data["limits"]), data["gap_step"], data["gap_words"], source=dict(original)
        )


class _HistorySchema(FileSchema):
    signal_before = fields.String(validate=validate.OneOf(ROLES))
    withdrew = fields.String(validate=validate.OneOf(ROLES))


class CoupleCaseSchema(FileSchema):
    name = fields.String(
        required=True, validate=validate.Regexp(r"^[a-z0-9_]+$", error="name uses a-z, 0-9 and _")
    )
    a = fields.Dict(keys=fields.String(), load_default=dict)
    b = fields.Dict(keys=fields.String(), load_default=dict)
    history = fields.Nested(_HistorySchema, load_default=dict)
    level = fields.String(required=True, validate=validate.Regexp(SNAKE))

    @post_load
    def _case(self, data: dict, **_) -> CoupleCase:
        return CoupleCase(data["name"], data["a"], data["b"], data["level"], data["history"])
