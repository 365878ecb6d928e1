"""Run the cases kept beside each rule: does the rule fire (appear among the reasons) as expected?"""

from dataclasses import dataclass

from schemas.rulebook_files import Case
from service.audit.impact import decision_of
from service.core.decision import Evaluator
from service.core.explain import held
from service.core.intake import read_answers
from service.core.result import Result


@dataclass(frozen=True)
class CaseOutcome:
    rule: str
    case: str
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def _check(case: Case, result: Result, rule_id: str) -> list[str]:
    problems = []
    reported = rule_id in {reason.rule for reason in result.reasons}
    if reported != case.fires:
        problems.append(f"expected the rule to {'fire' if case.fires else 'stay silent'}")
    actual = {**decision_of(result), "title": result.title}
    for key, wanted in case.expect.items():
        if actual[key] != wanted:
            problems.append(f"{key}: expected {wanted}, got {actual[key]}")
    return problems


def _check_derivation(case: Case, entry, entries) -> list[str]:
    """A derivation fires when its yes/no value holds, or (counting) when it counts at least one."""
    facts = read_answers(case.answers).facts
    if entry.spec.counts is not None:
        count = sum(held(item, facts, entries)[0] for item in entry.spec.counts)
        fires, actual = count >= 1, {"count": count}
    else:
        fires, actual = held(entry.spec.when, facts, entries)[0], {}
    problems = [] if fires == case.fires else [f"expected it to {'hold' if case.fires else 'not hold'}"]
    for key, wanted in case.expect.items():
        if actual.get(key) != wanted:
            problems.append(f"{key}: expected {wanted}, got {actual.get(key)}")
    return problems


def run_cases(evaluator: Evaluator) -> list[CaseOutcome]:
    """Evaluate every case of every rule, level and derivation in the evaluator's rulebook."""
    outcomes = []
    entries = evaluator.rulebook.entries
    for entry in entries.values():
        for case in entry.cases:
            if entry.kind == "derived":
                problems = _check_derivation(case, entry, entries)
            else:
                problems = _check(case, evaluator.decide(case.answers).result, entry.id)
            outcomes.append(CaseOutcome(entry.id, case.name, tuple(problems)))
    return outcomes
