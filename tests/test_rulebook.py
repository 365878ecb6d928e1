"""The rulebook loader and checker: meta-tests on the real rules, and broken directories refused."""

import shutil
from pathlib import Path

import pytest

from schemas.questionnaire import article_sections
from service.conditions import condition_references
from service.rulebook import RulebookError, default_rules_dir, load_rulebook

RULES = default_rules_dir()


def test_every_rule_and_outcome_level_has_firing_and_silent_cases(rulebook):
    for entry in rulebook.entries.values():
        if entry.kind == "derived":
            continue
        fires = [c for c in entry.cases if c["fires"]]
        silent = [c for c in entry.cases if not c["fires"]]
        assert fires and silent, f"{entry.id} needs cases that make it fire and stay silent"
        assert all(c["name"].startswith("fires_") for c in fires), entry.id
        assert all(c["name"].startswith("silent_") for c in silent), entry.id


def test_every_citation_is_a_real_section(rulebook):
    sections = article_sections()
    for entry in rulebook.entries.values():
        assert entry["section"] in sections, entry.id
        if entry.kind == "rule" and entry["effect"]["kind"] == "step":
            assert entry["effect"]["step"] in sections, entry.id


def test_every_derivation_is_used(rulebook):
    used = set()
    for entry in rulebook.entries.values():
        nodes = [entry.data["when"]] if "when" in entry.data else list(entry.get("counts") or [])
        used |= {ref for node in nodes for _, ref, _ in condition_references(node)}
    assert {e.id for e in rulebook.of_kind("derived")} <= used


def test_every_case_file_belongs_to_a_rule():
    stems = {
        p.name.removesuffix(".yaml") for p in RULES.rglob("*.yaml") if not p.name.endswith(".cases.yaml")
    }
    for case_file in RULES.rglob("*.cases.yaml"):
        assert case_file.name.removesuffix(".cases.yaml") in stems, case_file


def test_rulebook_has_a_version_and_digest(rulebook):
    assert rulebook.version == "1.0.0"
    assert rulebook.digest.startswith("sha256:") and len(rulebook.digest) == 71


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def test_digest_ignores_whitespace_and_file_order(rules_copy, rulebook):
    rule = rules_copy / "safety" / "safety-afraid-of-partner.yaml"
    rule.write_text("\n\n" + rule.read_text().replace("kind: rule\n", "kind:    rule\n\n"))
    (rules_copy / "safety").rename(rules_copy / "zz-moved-safety")
    assert load_rulebook(rules_copy).digest == rulebook.digest


def test_digest_changes_with_a_threshold(rules_copy, rulebook):
    rule = rules_copy / "walk-away" / "walk-away-many-permanence-signs.yaml"
    rule.write_text(rule.read_text().replace("at_least: 3", "at_least: 4"))
    assert load_rulebook(rules_copy).digest != rulebook.digest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


HELP = "professional-help/help-past-hurt.yaml"
BROKEN = {
    "yaml_syntax_error": (
        lambda d: _edit(d / HELP, "when: {answer", "when: [{answer"),
        HELP,
        9,
        "YAML syntax error",
    ),
    "duplicate_yaml_key": (
        lambda d: _edit(d / HELP, "title:", "section: wrapping-up\ntitle:"),
        HELP,
        8,
        "duplicate key 'section'",
    ),
    "empty_id": (lambda d: _edit(d / HELP, "id: help-past-hurt", "id: ''"), HELP, 2, "kebab-case"),
    "id_not_file_name": (
        lambda d: _edit(d / HELP, "id: help-past-hurt", "id: help-old-hurt"),
        HELP,
        2,
        "must match the file name",
    ),
    "duplicate_id": (
        lambda d: shutil.copy(d / HELP, d / "findings" / "help-past-hurt.yaml"),
        "professional-help/help-past-hurt.yaml",
        2,
        "duplicate id 'help-past-hurt'",
    ),
    "unknown_question": (
        lambda d: _edit(d / HELP, "answer: past_hurt_affects_me", "answer: past_hurts"),
        HELP,
        8,
        "unknown question id",
    ),
    "unknown_section": (
        lambda d: _edit(d / HELP, "section: emotional-barriers", "section: emotional-walls"),
        HELP,
        7,
        "not a section id",
    ),
    "unknown_effect_kind": (
        lambda d: _edit(d / HELP, "kind: outcome,", "kind: verdict,"),
        HELP,
        9,
        "unknown effect kind",
    ),
    "unknown_key": (lambda d: _edit(d / HELP, "title:", "colour: teal\ntitle:"), HELP, 3, "unknown key"),
    "unknown_file_kind": (
        lambda d: _edit(d / HELP, "kind: rule", "kind: policy"),
        HELP,
        1,
        "kind: must be one of",
    ),
    "unquoted_no": (
        lambda d: _edit(d / "walk-away/walk-away-neither-willing.yaml", 'is: "no"}', "is: no}"),
        "walk-away/walk-away-neither-willing.yaml",
        10,
        "quote it",
    ),
    "operator_does_not_fit": (
        lambda d: _edit(d / HELP, "is: true", "at_least: 2"),
        HELP,
        8,
        "does not fit a boolean",
    ),
    "unknown_derivation": (
        lambda d: _edit(
            d / "professional-help/help-low-availability.yaml",
            "derived: low-availability",
            "derived: low-mood",
        ),
        "professional-help/help-low-availability.yaml",
        8,
        "'low-mood' is not a yes/no derivation",
    ),
    "unknown_outcome_level": (
        lambda d: _edit(d / HELP, "outcome: professional-help", "outcome: therapy"),
        HELP,
        9,
        "not an outcome level",
    ),
    "orphan_case_file": (
        lambda d: shutil.copy(
            d / "professional-help/help-past-hurt.cases.yaml", d / "steps/help-old.cases.yaml"
        ),
        "steps/help-old.cases.yaml",
        1,
        "orphan case file",
    ),
    "bad_case_answers": (
        lambda d: _edit(
            d / "professional-help/help-past-hurt.cases.yaml",
            "{past_hurt_affects_me: true}",
            "{past_hurt_affects_me: 1}",
        ),
        "professional-help/help-past-hurt.cases.yaml",
        2,
        "true or false",
    ),
    "bad_case_name": (
        lambda d: _edit(d / "professional-help/help-past-hurt.cases.yaml", "fires_with_past_hurt", "works"),
        "professional-help/help-past-hurt.cases.yaml",
        1,
        "fires_ or silent_",
    ),
    "duplicate_priority": (
        lambda d: _edit(d / "outcomes/rebuild.yaml", "priority: 4", "priority: 3"),
        "outcomes/rebuild.yaml",
        9,
        "already used",
    ),
    "count_beyond_list": (
        lambda d: _edit(d / "walk-away/walk-away-many-permanence-signs.yaml", "at_least: 3", "at_least: 5"),
        "walk-away/walk-away-many-permanence-signs.yaml",
        8,
        "counts only 4 conditions",
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_rules_are_refused_with_file_and_line(rules_copy, name):
    breaks, file, line, message = BROKEN[name]
    breaks(rules_copy)
    with pytest.raises(RulebookError) as caught:
        load_rulebook(rules_copy)
    problems = [str(p) for p in caught.value.problems]
    expected = f"{rules_copy / file}:{line}: "
    assert any(p.startswith(expected) and message in p for p in problems), problems


def test_missing_rulebook_header_is_refused(rules_copy):
    (rules_copy / "rulebook.yaml").unlink()
    with pytest.raises(RulebookError, match="rulebook.yaml:1: missing"):
        load_rulebook(rules_copy)


def test_missing_directory_is_refused(tmp_path):
    with pytest.raises(RulebookError, match="rules directory not found"):
        load_rulebook(tmp_path / "nowhere")


def test_every_problem_is_reported_at_once(rules_copy):
    _edit(rules_copy / HELP, "answer: past_hurt_affects_me", "answer: past_hurts")
    _edit(rules_copy / "outcomes/rebuild.yaml", "section: how-to", "section: why-to")
    with pytest.raises(RulebookError) as caught:
        load_rulebook(rules_copy)
    assert len(caught.value.problems) == 2
