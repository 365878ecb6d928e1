"""Run the cases kept beside each rule: does the rule fire (appear among the reasons) as expected?"""

from dataclasses import dataclass

from service.decision import Evaluator
from service.impact import decision_of


@dataclass(frozen=True)
class CaseOutcome:
    rule: str
    case: str
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def _check(case: dict, result: dict, rule_id: str) -> list[str]:
    problems = []
    reported = rule_id in {reason["rule"] for reason in result["reasons"]}
    if reported != case["fires"]:
        problems.append(f"expected the rule to {'fire' if case['fires'] else 'stay silent'}")
    actual = {**decision_of(result), "title": result["title"]}
    for key, wanted in (case.get("expect") or {}).items():
        if actual[key] != wanted:
            problems.append(f"{key}: expected {wanted}, got {actual[key]}")
    return problems


def run_cases(evaluator: Evaluator) -> list[CaseOutcome]:
    """Evaluate every case of every rule in the evaluator's rulebook."""
    outcomes = []
    for entry in evaluator.rulebook.entries.values():
        for case in entry.cases:
            result = evaluator.assess(case["answers"])
            outcomes.append(CaseOutcome(entry.id, case["name"], tuple(_check(case, result, entry.id))))
    return outcomes
