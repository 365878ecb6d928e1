"""The couple rules' cases (rules/couple/*.cases.yaml) and what they cover: each case decides two answer
sets alone (the individual rules), then the pair (the couple rules), on the real engines."""

from schemas.couple_rules import ROLES, Both, Either
from service.audit.casefiles import CaseOutcome
from service.audit.coverage import Item, branches
from service.core.couple import JointDecider
from service.core.couple_result import PairMemory, Submission
from service.core.couple_rules import partner_holds
from service.core.decision import Evaluator
from service.core.exceptions import AnswersInvalid

CASE_TIME = "2000-01-01T00:00:00+00:00"


def _pair(evaluator: Evaluator, case) -> tuple[dict, PairMemory]:
    baseline = evaluator.rulebook.case_baseline
    partners = {}
    for role in ROLES:
        assessment = evaluator.decide({**baseline, **getattr(case, role)})
        partners[role] = Submission(assessment.answers, assessment.result, assessment.fired, CASE_TIME)
    memory = PairMemory(
        frozenset({case.history["signal_before"]} if "signal_before" in case.history else ()),
        frozenset({case.history["withdrew"]} if "withdrew" in case.history else ()),
    )
    return partners, memory


def run_couple_cases(evaluator: Evaluator, decider: JointDecider) -> list[CaseOutcome]:
    """Every couple case: does the pair get the joint level the case expects?"""
    outcomes = []
    for level_id, cases in decider.couple.cases.items():
        for case in cases:
            try:
                partners, memory = _pair(evaluator, case)
            except AnswersInvalid:
                outcomes.append(CaseOutcome(level_id, case.name, ("a partner's answers are not valid",)))
                continue
            got = decider.level(partners, memory)
            problems = () if got == case.level else (f"expected {case.level}, got {got}",)
            outcomes.append(CaseOutcome(level_id, case.name, problems))
    return outcomes


def couple_coverage(evaluator: Evaluator, decider: JointDecider) -> list[Item]:
    """Each joint level wins in a case and loses in one; each side of an `either` and each `any`
    alternative of a partner condition holds in some case; each `all` member alone fails in one."""
    facts, winners = [], []
    for cases in decider.couple.cases.values():
        for case in cases:
            try:
                partners, memory = _pair(evaluator, case)
            except AnswersInvalid:
                continue
            facts.append(decider.pair_fact(partners, memory))
            winners.append(decider.level(partners, memory))
    items = []
    for level in decider.couple.levels:
        name = f"couple/{level.id}"
        items.append(Item(name, "wins", level.level in winners))
        items.append(Item(name, "loses", any(w != level.level for w in winners)))
        if isinstance(level.when, Both | Either):
            partner = level.when.partner
            for role in ROLES:
                covered = any(partner_holds(partner, role, fact) for fact in facts)
                items.append(Item(name, f"when.partner_{role}", covered))
            for path, kind, child, siblings in branches(partner, "when"):
                if kind == "any":
                    covered = any(partner_holds(child, r, f) for f in facts for r in ROLES)
                else:
                    others = [s for s in siblings if s is not child]
                    covered = any(
                        not partner_holds(child, r, f) and all(partner_holds(s, r, f) for s in others)
                        for f in facts
                        for r in ROLES
                    )
                items.append(Item(name, path, covered))
    return items
