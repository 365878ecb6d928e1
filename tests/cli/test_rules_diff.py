"""`closeness rules diff` as a user runs it: exit status, case files, formats, replays of a decision log."""

import json
import os
import shutil

import pytest

from service.core.rulebook import default_rules_dir
from tests.commands import closeness


def test_cli_exit_status_tells_whether_any_outcome_changed(changed_rules, tmp_path):
    changed = closeness("rules", "diff", str(default_rules_dir()), str(changed_rules))
    assert changed.returncode == 1
    assert "changed: walk-away-many-signs: when.all.0.at_least: 3 -> 4" in changed.stdout
    assert "outcome changed: " in changed.stdout
    assert '"recommendation": ["consider_walking_away", "professional_help"]' in changed.stdout
    assert "answers: {" in changed.stdout and "'" not in changed.stdout.split("outcome changed")[1]  # JSON
    same = closeness("rules", "diff", str(default_rules_dir()), str(default_rules_dir()))
    assert same.returncode == 0 and "no rule changed" in same.stdout and "outcome changed: 0" in same.stdout


def _three_signs(baseline):
    return {
        **baseline,
        "partner_refuses_to_talk": True,
        "partner_always_blames": True,
        "attempts_keep_failing": True,
        "partner_willing": "unsure",
    }


def test_cli_takes_a_case_file_and_names_its_lines(changed_rules, tmp_path, baseline):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(baseline) + "\n\n" + json.dumps(_three_signs(baseline)) + "\n")
    run = closeness("rules", "diff", str(default_rules_dir()), str(changed_rules), "--cases", str(cases))
    assert run.returncode == 1 and "cases evaluated: 2; outcome changed: 1" in run.stdout
    assert "  line 3: " in run.stdout  # 1-based, counting the empty line


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"ready_to_share": 4}\n{"ready_to_share": \n', "line 2: Not valid JSON"),
        ("{}\n", "line 1: afraid_of_partner: This question needs an answer."),
    ],
    ids=["bad_json", "bad_answers"],
)
def test_bad_case_lines_are_named_by_line_and_field(tmp_path, content, message):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(content)
    run = closeness(
        "rules", "diff", str(default_rules_dir()), str(default_rules_dir()), "--cases", str(cases)
    )
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_json_and_markdown_formats_and_the_changed_cases_file(changed_rules, tmp_path, baseline):
    cases, out = tmp_path / "cases.jsonl", tmp_path / "changed.jsonl"
    cases.write_text(json.dumps(baseline) + "\n" + json.dumps(_three_signs(baseline)) + "\n")
    args = ("rules", "diff", str(default_rules_dir()), str(changed_rules), "--cases", str(cases))
    report = json.loads(closeness(*args, "--format", "json", "--out", str(out)).stdout)
    assert report["rules"]["changed"] == {"walk-away-many-signs": {"when.all.0.at_least": [3, 4]}}
    (changed,) = report["changed"]
    assert changed["source"] == "line 2" and changed["answers"] == _three_signs(baseline)
    assert (changed["old"]["recommendation"], changed["new"]["recommendation"]) == (
        "consider_walking_away",
        "professional_help",
    )
    assert changed["rules"] == {"only_old": ["walk-away-many-signs"], "only_new": []}
    # The changed cases file is what `closeness evaluate` takes as is.
    evaluated = closeness("evaluate", str(out))
    assert (
        evaluated.returncode == 0
        and json.loads(evaluated.stdout)["recommendation"] == "consider_walking_away"
    )
    md = closeness(*args, "--format", "md").stdout
    assert md.startswith("## Rulebook change") and "| line 2 |" in md


def test_a_change_without_a_new_version_is_warned_and_strict_fails(changed_rules, tmp_path, baseline):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps(baseline) + "\n")  # no case changes: only the version check can fail
    args = ("rules", "diff", str(default_rules_dir()), str(changed_rules), "--cases", str(cases))
    warned = closeness(*args)
    assert warned.returncode == 0 and "rules changed but the version is still 2.2.0" in warned.stderr
    assert closeness(*args, "--strict").returncode == 1
    header = changed_rules / "rulebook.yaml"
    header.write_text(header.read_text().replace("version: 2.2.0", "version: 2.2.1"))
    assert closeness(*args, "--strict").returncode == 0


def test_replay_a_decision_log_export_against_new_rules(changed_rules, tmp_path, baseline):
    from service import create_app

    url = f"sqlite:///{tmp_path / 'log.sqlite3'}"
    from service.audit.decision_log import migrate

    migrate(url)
    app = create_app(
        {"TESTING": True, "DECISION_LOG": True, "DATABASE_URL": url, "DECISION_LOG_ANSWERS": True}
    )
    client = app.test_client()
    moved = client.post("/v1/assessments", json=_three_signs(baseline)).get_json()["decision_id"]
    client.post("/v1/assessments", json=baseline)
    assert app.extensions["closeness"].decision_log.flush()  # out of the spool, into the database
    export = closeness("log", "export", env={**os.environ, "CLOSENESS_DECISION_LOG_URL": url})
    path = tmp_path / "export.jsonl"
    path.write_text(export.stdout + json.dumps({"id": "f" * 32, "recommendation": "rebuild"}) + "\n")
    run = closeness(
        "rules",
        "diff",
        str(default_rules_dir()),
        str(changed_rules),
        "--replay",
        str(path),
        "--format",
        "json",
    )
    report = json.loads(run.stdout)
    assert run.returncode == 1 and report["cases"] == 2 and report["skipped"] == 1
    assert [c["source"] for c in report["changed"]] == [f"decision {moved}"]


def test_a_removed_rule_is_reported_even_when_its_cases_stay_behind(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (rules / "help-for-you" / "help-past-hurt.yaml").unlink()  # its cases file stays: an orphan now
    run = closeness("rules", "diff", str(default_rules_dir()), str(rules), "--format", "json")
    assert run.returncode == 1 and "orphan case file" in run.stderr
    report = json.loads(run.stdout)
    assert report["rules"]["removed"] == ["help-past-hurt"]
    assert report["changed"] and all("answers" in case for case in report["changed"])
    assert all(case["answers"]["past_hurt_affects_me"] is True for case in report["changed"])
    assert closeness("rules", "check", str(rules)).returncode == 1  # the draft is still not a rulebook
