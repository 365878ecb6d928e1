"""Every case beside every rule, collected by one harness: a new rule brings its cases by existing."""

from dataclasses import replace

import pytest

from service.audit.casefiles import run_cases
from service.core.decision import Evaluator
from service.core.rulebook import load_rulebook

_rulebook = load_rulebook()
CASES = [(entry.id, case) for entry in _rulebook.entries.values() for case in entry.cases]


@pytest.fixture(scope="module")
def outcomes():
    return {(o.rule, o.case): o for o in run_cases(Evaluator(_rulebook))}


@pytest.mark.parametrize(("rule_id", "case"), CASES, ids=[f"{r}/{c.name}" for r, c in CASES])
def test_rule_case(outcomes, rule_id, case):
    outcome = outcomes[(rule_id, case.name)]
    assert outcome.passed, "; ".join(outcome.problems)


def test_a_wrong_expectation_is_reported(rulebook):
    entry = rulebook.entries["walk-away-neither-willing"]
    broken = replace(entry.cases[0], fires=False, expect={"recommendation": "rebuild"})
    original = entry.cases
    entry.cases = [broken]
    try:
        outcome = [o for o in run_cases(Evaluator(rulebook)) if o.rule == entry.id][0]
    finally:
        entry.cases = original
    assert outcome.problems == (
        "expected the rule to stay silent",
        "recommendation: expected rebuild, got consider_walking_away",
    )
