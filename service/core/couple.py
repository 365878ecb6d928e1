"""The joint view of a pair (shared/spec/couple-mode.md): durable_rules decides the joint level from
one pair fact (rules/couple/); Python resolves what the files declare into the view, the comparison
and the joint steps. Nothing here reads a partner's answers unless both answered and neither pair
member's answers, now or before, held a safety signal (the gate is a joint level like the others,
first of all)."""

from schemas.couple_rules import ROLES
from schemas.model import StepEffect
from schemas.questionnaire import load_questionnaire
from service.core.couple_result import (
    Basis,
    Comparison,
    JointStep,
    JointView,
    OwnResult,
    PairMemory,
    PerceptionGap,
    Split,
    Submission,
)
from service.core.couple_rules import couple_ruleset
from service.core.engine import RuleEngine
from service.core.exceptions import EngineError
from service.core.rulebook import Rulebook

AVAILABILITY = ("ready_to_share", "walls_when_close", "time_to_listen")
MOOD = ("feeling_down", "lost_interest")
REPORTS_OF_PARTNER = (
    "partner_refuses_to_talk",
    "partner_always_blames",
    "attempts_keep_failing",
    "partner_ignores_feelings",
    "connecting_leaves_me_worse",
    "past_hurt_affects_me",
    "same_problems_keep_returning",
)
ONE_MOOD_ITEM = "Answered yes to one mood question. A PHQ-9 can help the practice see more."


def _other(role: str) -> str:
    return "b" if role == "a" else "a"


class JointDecider:
    """Decides a pair's joint view with the couple rules; one per rulebook, built before serving."""

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self.couple = rulebook.couple
        self.engine = RuleEngine(rulebook, couple_ruleset(self.couple), kind="pair")
        self.by_level = {level.level: level for level in self.couple.levels}
        # step id -> (its words, the ids of the rules that trigger it; no fallback)
        self.steps: dict[str, tuple[StepEffect, set[str]]] = {}
        for rule in rulebook.rules():
            effect = rule.effect
            if isinstance(effect, StepEffect) and not effect.fallback:
                words, rules = self.steps.get(effect.step, (effect, set()))
                self.steps[effect.step] = (words, rules | {rule.id})

    def pair_fact(self, partners: dict[str, Submission], memory: PairMemory) -> dict:
        """The engine's one fact for the pair: each partner's answers and own-result facts, prefixed."""
        fact = {}
        for role in ROLES:
            submission = partners[role]
            fact.update({f"{role}_{question}": value for question, value in submission.answers.items()})
            fact[f"{role}_result_recommendation"] = submission.result.recommendation
            fact[f"{role}_result_safety_signal"] = submission.safety_signal
            fact[f"{role}_history_signal_before"] = role in memory.signal_before
            fact[f"{role}_history_withdrew"] = role in memory.withdrew
        return fact

    def level(self, partners: dict[str, Submission], memory: PairMemory) -> str:
        """The joint level: the first (lowest priority) whose rule fired."""
        fired = set(self.engine.fired_rules(self.pair_fact(partners, memory)))
        for level in self.couple.levels:
            if level.level in fired:
                return level.level
        raise EngineError("no joint level held, though the last one always holds")

    def gated(self) -> JointView:
        """The gate's view: the same for every pair, saying nothing of who or what."""
        return self._view(self.couple.gate)

    def _view(self, level, **comparison_and_steps) -> JointView:
        notice, basis = self.couple.words.notice, Basis(level.basis, level.section)
        return JointView(
            level.level, level.title, level.text, notice, basis, **comparison_and_steps, rule=level.id
        )

    def decide(self, partners: dict[str, Submission], memory: PairMemory) -> JointView:
        """The joint view of two submissions and the pair's memory."""
        name = self.level(partners, memory)
        level = self.by_level[name]
        # The comparison and steps are worked out even for the gate (then left out): a gated pair costs
        # what any pair costs, so the time it takes says nothing (service/audit/couple_flow.py).
        gaps = perception_gaps(partners)
        comparison, steps = self.comparison(partners, memory, gaps), self.joint_steps(partners, gaps)
        if level.gate:
            return self.gated()
        return self._view(level, comparison=comparison, steps=steps if level.steps else ())

    def joint_steps(self, partners: dict[str, Submission], gaps: tuple) -> tuple[JointStep, ...]:
        """The gap step first, for both, exactly when there is a perception gap; then the steps that
        trigger for both partners, then those for one, each group in the rulebook's step order."""
        gap_step = self.couple.words.gap_step
        steps = [self._step(gap_step, ROLES)] if gaps else []
        both, one = [], []
        for step_id in self.rulebook.step_order:
            if step_id == gap_step or step_id not in self.steps:
                continue
            rules = self.steps[step_id][1]
            holders = tuple(role for role in ROLES if rules & set(partners[role].fired))
            if len(holders) == 2:
                both.append(self._step(step_id, holders))
            elif holders:
                one.append(self._step(step_id, holders))
        return tuple(steps + both + one)

    def _step(self, step_id: str, holders: tuple) -> JointStep:
        words = self.steps[step_id][0]
        return JointStep(step_id, words.title, words.advice, words.section, tuple(holders))

    def comparison(self, partners: dict[str, Submission], memory: PairMemory, gaps: tuple) -> Comparison:
        answers = {role: partners[role].answers for role in ROLES}
        return Comparison(
            own={
                role: OwnResult(
                    partners[role].result.recommendation,
                    partners[role].result.title,
                    partners[role].answered_at,
                )
                for role in ROLES
            },
            availability={role: {q: answers[role].get(q) for q in AVAILABILITY} for role in ROLES},
            mood={role: _mood(answers[role]) for role in ROLES},
            missing_needs=split("missing_needs", answers),
            signs=split("signs", answers),
            willingness={role: answers[role].get("self_willing") for role in ROLES},
            perception_gaps=gaps,
            reports_of_partner={
                role: {q: answers[role].get(q) for q in REPORTS_OF_PARTNER} for role in ROLES
            },
            history=memory.events,
            limits=self.couple.words.limits,
        )


def _mood(answers: dict) -> dict:
    said = [answers.get(q) is True for q in MOOD]
    return {
        "feeling_down": answers.get("feeling_down"),
        "lost_interest": answers.get("lost_interest"),
        "prompt": ONE_MOOD_ITEM if sum(said) == 1 else None,
    }


def split(question_id: str, answers: dict) -> Split:
    """A multiple choice's items: named by both, by A only, by B only (questionnaire order)."""
    chosen = {role: set(answers[role].get(question_id) or ()) for role in ROLES}
    order = load_questionnaire().question(question_id).values
    return Split(
        tuple(v for v in order if v in chosen["a"] and v in chosen["b"]),
        tuple(v for v in order if v in chosen["a"] and v not in chosen["b"]),
        tuple(v for v in order if v in chosen["b"] and v not in chosen["a"]),
    )


def perception_gaps(partners: dict[str, Submission]) -> tuple[PerceptionGap, ...]:
    """Where what one partner thinks of the other's willingness differs from what the other says
    (not having talked about it is always a gap)."""
    gaps = []
    for seer in ROLES:
        thinks = partners[seer].answers.get("partner_willing")
        says = partners[_other(seer)].answers.get("self_willing")
        if thinks == "not_discussed" or thinks != says:
            gaps.append(PerceptionGap(seer, _other(seer), thinks, says))
    return tuple(gaps)
