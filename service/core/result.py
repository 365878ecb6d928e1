"""The result of one decision, as typed frozen objects: built by the resolver, read by attribute,
turned into JSON only by schemas/contract.py's ResultSchema (dump_result)."""

from dataclasses import dataclass

from schemas.model import OutcomeLevel
from schemas.resources import Resource


@dataclass(frozen=True, slots=True)
class Because:
    """One answer that made a rule hold, with its second-person sentence."""

    question: str
    answer: object  # the answer (a multiple choice: the items that matched, in the questionnaire's order)
    text: str


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str  # a rule's or outcome level's id
    title: str
    explanation: str
    section: str
    basis: str
    because: tuple[Because, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    advice: str
    section: str


@dataclass(frozen=True, slots=True)
class AlsoConsider:
    recommendation: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Safety:
    urgent: tuple[str, ...]
    noted: tuple[str, ...]
    declined: tuple[str, ...]  # base safety questions answered "I'd rather not say"

    def __bool__(self) -> bool:
        """Whether there is any safety signal at all."""
        return bool(self.urgent or self.noted or self.declined)


@dataclass(frozen=True, slots=True)
class AnswerWarning:
    """What an urgent result ignored or assumed about one question or key (never its value)."""

    question: str
    message: str


@dataclass(frozen=True, slots=True)
class QuestionnaireRef:
    id: str
    version: str


@dataclass(frozen=True, slots=True)
class RulesetRef:
    version: str
    digest: str


@dataclass(frozen=True, slots=True)
class AnswerChange:
    question: str
    from_: object  # the answer given (a removed item)
    to: object  # the changed answer (None: the item removed)
    text: str


@dataclass(frozen=True, slots=True)
class WouldChange:
    recommendation: str
    title: str
    changes: tuple[AnswerChange, ...]


@dataclass(frozen=True, slots=True)
class Result:
    recommendation: str
    urgent: bool
    safety: Safety
    title: str
    summary: str
    reasons: tuple[Reason, ...]
    steps: tuple[Step, ...]
    also_consider: tuple[AlsoConsider, ...]
    notice: str
    resources: tuple[Resource, ...]
    warnings: tuple[AnswerWarning, ...]
    questionnaire: QuestionnaireRef
    ruleset: RulesetRef
    level: OutcomeLevel  # the winning level (not in the JSON)
    on_your_own: bool  # its steps are those for doing on your own (not in the JSON)
    decision_id: str | None = None  # set once the decision is in the log
    would_change: tuple[WouldChange, ...] | None = None  # with ?explain=changes, where allowed
