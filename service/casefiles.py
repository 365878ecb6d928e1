"""Run the cases kept beside each rule: does the rule fire (appear among the reasons) as expected?"""

from dataclasses import dataclass

from service.decision import Evaluator


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
    actual = {
        "recommendation": result["recommendation"],
        "urgent": result["urgent"],
        "steps": [step["id"] for step in result["steps"]],
        "also_consider": result["also_consider"],
    }
    for key, wanted in (case.get("expect") or {}).items():
        if actual[key] != wanted:
            problems.append(f"{key}: expected {wanted}, got {actual[key]}")
    return problems


def run_cases(evaluator: Evaluator) -> list[CaseOutcome]:
    """Evaluate every case of every rule in the evaluator's rulebook."""
    outcomes = []
    for entry in evaluator.rulebook.entries.values():
        for case in entry.cases:
            result = evaluator.evaluate(case["answers"])
            outcomes.append(CaseOutcome(entry.id, case["name"], tuple(_check(case, result, entry.id))))
    return outcomes
