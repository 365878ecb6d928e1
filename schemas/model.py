"""Conditions and rulebook entries as small typed, frozen classes, built once from checked data.

The rule files' grammar is read in one place (schemas/rulefile.py, read_condition, which checks it
against the questionnaire as it builds these nodes); every walker (to durable_rules, to sentences,
what a condition reads, whether it holds, coverage) is one `match` over them. A new operator is one
name in OPERATORS (and the question types it fits), its translation, its reading and its sentence.
"""

from dataclasses import dataclass, field
from typing import ClassVar

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


# The rulebook's entries, typed: built by the rule file schemas (schemas/rulefile.py, post_load)
# from checked data, so code reads fields, never keys.


@dataclass(frozen=True)
class OutcomeEffect:
    """Makes an outcome level a candidate."""

    outcome: str
    kind: ClassVar[str] = "outcome"


@dataclass(frozen=True)
class StepEffect:
    """Suggests a step; `fallback` steps only when no other step applies."""

    step: str
    section: str
    title: str
    advice: str
    on_your_own: bool = False
    fallback: bool = False
    kind: ClassVar[str] = "step"


@dataclass(frozen=True)
class FindingEffect:
    """Reported as a reason; changes nothing else."""

    kind: ClassVar[str] = "finding"


@dataclass(frozen=True)
class HedgedTexts:
    """A concern's words when it holds only because a follow-up was skipped or declined."""

    title: str
    explanation: str
    headline: str | None = None
    summary: str | None = None
    summary_with: tuple[tuple[str, str], ...] = ()


ACUITIES = ("now", "today", "next_contact")


@dataclass(frozen=True)
class ClinicianWords:
    """How a concern reads to a clinician (the CDS card), never to the client."""

    words: str  # what the concern means
    acuity: str  # when to follow up: now (before the client leaves), today, or next_contact
    follow_up: str  # the suggested follow-up, starting with its timing
    screened: str | None = None  # short words for a noted concern in the card's summary
    basis: tuple[tuple[str, str], ...] = ()  # (question, words): what made it hold, in order


@dataclass(frozen=True)
class ConcernEffect:
    """Raises a safety concern (urgent or noted); `unless` names concerns that override it."""

    concern: str
    urgent: bool
    outcome: str | None = None
    unless: tuple[str, ...] = ()
    headline: str | None = None
    summary: str | None = None
    summary_with: tuple[
        tuple[str, str], ...
    ] = ()  # (another urgent concern, the summary when it is raised too)
    hedged: HedgedTexts | None = None
    clinician: ClinicianWords | None = None  # required by the schema; None only in hand-built effects
    form_topic: str | None = None  # the web form shows this concern's support on a yes to this topic
    kind: ClassVar[str] = "concern"


Effect = OutcomeEffect | StepEffect | FindingEffect | ConcernEffect
EFFECTS = {effect.kind: effect for effect in (OutcomeEffect, StepEffect, FindingEffect, ConcernEffect)}


@dataclass(frozen=True, kw_only=True)
class Documented:
    """What every rule file says of itself, and the checked mapping it was read from."""

    id: str
    title: str
    explanation: str
    section: str
    basis: str
    source: dict = field(compare=False, repr=False, default_factory=dict)  # digest, diffs, the rule's page

    @property
    def conditions(self) -> tuple[tuple[tuple, Condition], ...]:
        """(key path in the file, condition) for every condition this entry holds."""
        return ()

    @property
    def reading(self) -> tuple[Condition, ...]:
        """The conditions that decide whether it holds (not a level's yields_when or no_steps_when)."""
        return ()


@dataclass(frozen=True, kw_only=True)
class Rule(Documented):
    when: Condition
    effect: Effect
    kind: ClassVar[str] = "rule"

    @property
    def conditions(self):
        return ((("when",), self.when),)

    @property
    def reading(self):
        return (self.when,)


LEVEL_TEXTS = ("headline", "summary", "also_consider_text", "explanation")


@dataclass(frozen=True)
class LevelText:
    """Words of a level for when a condition holds: a variant replaces the texts it gives (the first
    variant that holds, text by text); an addition is appended to them (every addition that holds)."""

    when: Condition | None = None  # None: no condition of its own (with yielded_from)
    headline: str | None = None
    summary: str | None = None
    also_consider_text: str | None = None
    explanation: str | None = None
    yielded_from: str | None = None  # only when that level held and gave way to this one


# A level's own conditions run as engine rules named "<level id>:<name>" (a ':' keeps them apart from
# rule ids, which are kebab-case).
LEVEL_CONDITION_NAMES = {
    "yields_when": "yields",
    "no_steps_when": "no-steps",
    "steps_on_your_own_when": "own-steps",
    "variants": "variant",
    "additions": "addition",
}


@dataclass(frozen=True, kw_only=True)
class OutcomeLevel(Documented):
    recommendation: str
    priority: int
    steps: str  # all | on_your_own | none
    clinician_summary: str
    urgent: bool = False
    fallback: bool = False
    headline: str | None = None
    summary: str | None = None
    also_consider_text: str | None = None
    yields_when: Condition | None = None
    yields_to: str | None = None  # the level that holds when this one gives way
    no_steps_when: Condition | None = None
    no_steps_with_concerns: tuple[str, ...] = ()
    steps_on_your_own_when: Condition | None = None  # then only steps marked on_your_own, no fallback
    variants: tuple[LevelText, ...] = ()
    additions: tuple[LevelText, ...] = ()
    kind: ClassVar[str] = "outcome"

    @property
    def conditions(self):
        keyed = (
            ("yields_when", self.yields_when),
            ("no_steps_when", self.no_steps_when),
            ("steps_on_your_own_when", self.steps_on_your_own_when),
        )
        single = tuple(((key,), node) for key, node in keyed if node is not None)
        texts = tuple(
            ((key, index, "when"), text.when)
            for key in ("variants", "additions")
            for index, text in enumerate(getattr(self, key))
            if text.when is not None
        )
        return single + texts

    def condition_name(self, key_path: tuple) -> str:
        """The engine rule that runs one of this level's own conditions."""
        name = LEVEL_CONDITION_NAMES[key_path[0]]
        return f"{self.id}:{name}" if len(key_path) == 1 else f"{self.id}:{name}-{key_path[1]}"


@dataclass(frozen=True, kw_only=True)
class Derivation(Documented):
    """A yes/no derivation (`when`) or a counting one (`counts`): exactly one of the two."""

    when: Condition | None = None
    counts: tuple[Condition, ...] | None = None
    kind: ClassVar[str] = "derived"

    @property
    def conditions(self):
        if self.counts is not None:
            return tuple((("counts", index), node) for index, node in enumerate(self.counts))
        return ((("when",), self.when),)

    @property
    def reading(self):
        return self.counts if self.counts is not None else (self.when,)


Definition = Rule | OutcomeLevel | Derivation
