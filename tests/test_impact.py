"""Impact analysis: `closeness rules diff` names changed rules and exactly the cases whose outcome changes."""

import json
import shutil

import pytest

from service.decision import Evaluator
from service.impact import impact, rule_changes, sample_cases
from service.rulebook import default_rules_dir, load_rulebook
from tests.test_cli import closeness


@pytest.fixture
def changed_rules(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = rules / "walk-away" / "walk-away-many-signs.yaml"
    path.write_text(path.read_text().replace("at_least: 3}", "at_least: 4}"))
    return rules


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
        r = evaluator.assess(answers)
        return r["recommendation"], r["urgent"], [s["id"] for s in r["steps"]], r["also_consider"]

    expected = {i for i, answers in enumerate(cases) if decision(before, answers) != decision(after, answers)}
    assert {index for index, *_ in result.changed_cases} == expected
    assert expected  # the sample does reach the changed threshold
    for _, answers, old, _new in result.changed_cases:  # exactly 3-sign cases moved (or low mood kept them)
        signs = sum(
            answers[q]
            for q in (
                "partner_refuses_to_talk",
                "partner_always_blames",
                "attempts_keep_failing",
                "partner_ignores_feelings",
            )
        )
        walked = (
            old["recommendation"] == "consider_walking_away"
            or "consider_walking_away" in old["also_consider"]
        )
        assert signs == 3 and walked


def test_cli_exit_status_tells_whether_any_outcome_changed(changed_rules, tmp_path):
    changed = closeness("rules", "diff", str(default_rules_dir()), str(changed_rules))
    assert changed.returncode == 1
    assert "changed: walk-away-many-signs: when.all.0.at_least: 3 -> 4" in changed.stdout
    assert "outcome changed: " in changed.stdout
    same = closeness("rules", "diff", str(default_rules_dir()), str(default_rules_dir()))
    assert same.returncode == 0 and "no rule changed" in same.stdout and "outcome changed: 0" in same.stdout


def test_cli_takes_a_case_file(changed_rules, tmp_path, baseline):
    cases = tmp_path / "cases.jsonl"
    three = {
        **baseline,
        "partner_refuses_to_talk": True,
        "partner_always_blames": True,
        "attempts_keep_failing": True,
        "partner_willing": "unsure",
    }
    cases.write_text(json.dumps(baseline) + "\n" + json.dumps(three) + "\n")
    run = closeness("rules", "diff", str(default_rules_dir()), str(changed_rules), "--cases", str(cases))
    assert run.returncode == 1 and "cases evaluated: 2; outcome changed: 1" in run.stdout
