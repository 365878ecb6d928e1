"""Impact analysis: `closeness rules diff` names changed rules and exactly the cases whose outcome changes."""

from service.audit.impact import decision_of, impact, rule_changes, sample_cases
from service.core.decision import Evaluator
from service.core.rulebook import load_rulebook
from tests.policy import PERMANENCE


def test_diff_names_the_changed_rule_and_field(rulebook, changed_rules):
    changes = rule_changes(rulebook, load_rulebook(changed_rules))
    assert changes == {
        "added": [],
        "removed": [],
        "changed": {"walk-away-many-signs": {"when.all.0.at_least": (3, 4)}},
    }


def test_diff_reports_exactly_the_cases_whose_outcome_changes(rulebook, changed_rules):
    new = load_rulebook(changed_rules)
    cases = sample_cases([rulebook, new])
    result = impact(rulebook, new, cases)
    before, after = Evaluator(rulebook), Evaluator(new)

    def decision(evaluator, answers):
        return decision_of(evaluator.decide(answers).result)

    expected = {source for source, answers in cases if decision(before, answers) != decision(after, answers)}
    assert {case.source for case in result.changed_cases} == expected
    assert expected  # the sample does reach the changed threshold
    for case in result.changed_cases:  # exactly 3-sign cases moved (or low mood kept them from walking away)
        assert sum(case.answers[q] is True for q in PERMANENCE) == 3
        assert "consider_walking_away" in (case.old["recommendation"], *case.old["also_consider"])
        assert "walk-away-many-signs" in case.only_old  # the rule that made the difference
