"""Conditions as a closed set of node types, read once from the rule files' checked data.

Every walker (to durable_rules, to sentences, what a condition reads, whether it holds) is one
`match` over these types: a new operator is one class, its translation and its cases.
"""

from dataclasses import dataclass

OPERATORS = ("is", "is_not", "in", "at_least", "at_most", "includes", "includes_any")


@dataclass(frozen=True)
class Answer:
    """A condition on one answer: `{answer: QUESTION, <operator>: value}`."""

    question: str
    operator: str
    value: object

    @property
    def values(self) -> tuple:
        """The value as a tuple (list operators hold several)."""
        return tuple(self.value) if self.operator in ("in", "includes_any") else (self.value,)


@dataclass(frozen=True)
class All:
    items: tuple


@dataclass(frozen=True)
class Any:
    items: tuple


@dataclass(frozen=True)
class Always:
    pass


@dataclass(frozen=True)
class Derived:
    """A yes/no derivation's value, by its id."""

    name: str


@dataclass(frozen=True)
class Count:
    """At least `at_least` of a counting derivation's conditions hold."""

    name: str
    at_least: int


Condition = Answer | All | Any | Always | Derived | Count


def parse(node: dict) -> Condition:
    """A checked condition mapping (schemas/rulefile.py checks it first) as typed nodes."""
    if "always" in node:
        return Always()
    if "all" in node:
        return All(tuple(parse(child) for child in node["all"]))
    if "any" in node:
        return Any(tuple(parse(child) for child in node["any"]))
    if "derived" in node:
        return Derived(node["derived"])
    if "count" in node:
        return Count(node["count"], node["at_least"])
    (operator,) = (key for key in node if key != "answer")
    value = node[operator]
    return Answer(node["answer"], operator, tuple(value) if isinstance(value, list) else value)
