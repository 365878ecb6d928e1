"""What the resolver works out from the rules that fired, before it reads any answer."""

from dataclasses import dataclass

from schemas.model import OutcomeLevel, Rule
from service.core.result import AlsoConsider, Reason, Step


@dataclass(frozen=True)
class Levels:
    """What depends only on the concern, outcome and level-condition rules that fired."""

    winner: OutcomeLevel
    urgent: tuple[str, ...]
    noted: tuple[str, ...]
    also_consider: tuple[OutcomeLevel, ...]
    concern_rules: tuple[Rule, ...]  # the active concerns' rules, urgent first
    texts: dict  # the winning level's words (LEVEL_TEXTS), variants and additions applied
    level_reason: Reason  # the winning level's own reason, in those words
    also_items: tuple[AlsoConsider, ...]  # each level under also_consider, in its words
    step_mode: str  # which fired steps it gives: none, own (on-your-own ones) or all

    @property
    def on_your_own(self) -> bool:
        """The winner's steps are those for doing on your own (steps_on_your_own_when held)."""
        return self.winner.steps == "all" and self.step_mode == "own"


@dataclass(frozen=True)
class Structure:
    """What depends only on which rules fired."""

    levels: Levels
    steps: tuple[Rule, ...]  # rules with a step effect, one per step, in the rulebook's step order
    reported: tuple[Rule, ...]  # rules reported as reasons after the winning level's own
    step_items: tuple[Step, ...]
