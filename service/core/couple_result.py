"""What couple mode reads and gives, as typed frozen objects: each partner's submission, the pair's
memory, and the joint view (shared/spec/couple-mode.md). JSON only through schemas/couple_contract.py."""

from dataclasses import dataclass, field

from service.core.result import Result


@dataclass(frozen=True)
class Submission:
    """One partner's answers as decided alone: the valid answers, the result, every rule that fired."""

    answers: dict
    result: Result
    fired: tuple[str, ...]
    answered_at: str  # ISO 8601, UTC
    signal_at_submission: bool = False  # the signal as decided when it was submitted (rules may change)

    @property
    def safety_signal(self) -> bool:
        """An urgent or noted concern, or a base safety question answered "declined"."""
        return self.signal_at_submission or bool(self.result.safety)


@dataclass(frozen=True)
class HistoryEvent:
    """Something the practice did or a partner's answers went through: never any content."""

    event: str  # invited, replaced, voided, withdrawn
    partner: str  # a or b
    at: str


@dataclass(frozen=True)
class PairMemory:
    """What the gate remembers for the pair's life, and its history for the comparison."""

    signal_before: frozenset = frozenset()  # roles whose earlier (voided or withdrawn) answers had a signal
    withdrew: frozenset = frozenset()  # roles that withdrew
    events: tuple[HistoryEvent, ...] = ()


@dataclass(frozen=True)
class OwnResult:
    recommendation: str
    title: str
    answered_at: str


@dataclass(frozen=True)
class Split:
    """Items both partners named, and those only one did, in the questionnaire's order."""

    shared: tuple[str, ...]
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]


@dataclass(frozen=True)
class PerceptionGap:
    seen_by: str
    about: str
    thinks: str  # the seer's partner_willing
    says: str  # the other's self_willing


@dataclass(frozen=True)
class Comparison:
    own: dict  # role -> OwnResult
    availability: dict  # role -> {question: value}
    mood: dict  # role -> {feeling_down, lost_interest, prompt}
    missing_needs: Split
    signs: Split
    willingness: dict  # role -> self_willing
    perception_gaps: tuple[PerceptionGap, ...]
    reports_of_partner: dict  # role -> {question: value}
    history: tuple[HistoryEvent, ...]
    limits: tuple[str, ...]


@dataclass(frozen=True)
class JointStep:
    id: str
    title: str
    advice: str
    section: str
    for_: tuple[str, ...]


@dataclass(frozen=True)
class Basis:
    basis: str
    section: str


@dataclass(frozen=True)
class JointView:
    level: str
    title: str
    text: str
    notice: str
    basis: Basis
    comparison: Comparison | None = None  # None for the gate
    steps: tuple[JointStep, ...] | None = None  # None for the gate; () where the level gives none
    rule: str = field(default="", compare=False)  # the joint level's file id (for the decision log)
