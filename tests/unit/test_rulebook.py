"""The rulebook loader and checker: meta-tests on the real rules, and broken directories refused."""

import shutil
from pathlib import Path

import pytest

from schemas.model import ConcernEffect, StepEffect
from schemas.questionnaire import article_sections
from service.core.conditions import condition_references
from service.core.rulebook import RulebookError, default_rules_dir, load_rulebook

RULES = default_rules_dir()


def test_every_rule_and_outcome_level_has_firing_and_silent_cases(rulebook):
    for entry in rulebook.entries.values():
        if entry.kind == "derived":
            continue
        fires = [c for c in entry.cases if c.fires]
        silent = [c for c in entry.cases if not c.fires]
        assert fires and silent, f"{entry.id} needs cases that make it fire and stay silent"
        assert all(c.name.startswith("fires_") for c in fires), entry.id
        assert all(c.name.startswith("silent_") for c in silent), entry.id


def test_every_citation_is_a_real_section_with_a_basis(rulebook):
    sections = article_sections()
    for entry in rulebook.entries.values():
        assert entry.spec.section in sections, entry.id
        assert entry.spec.basis in ("article", "safety-guidance"), entry.id
        if isinstance(getattr(entry.spec, "effect", None), StepEffect):
            assert entry.spec.effect.section in sections, entry.id


def test_safety_rests_on_safety_guidance_and_cites_only_seek_professional_help(rulebook):
    for entry in rulebook.entries.values():
        if isinstance(getattr(entry.spec, "effect", None), ConcernEffect) or getattr(
            entry.spec, "urgent", False
        ):
            assert entry.spec.basis == "safety-guidance", entry.id
        if entry.spec.basis == "safety-guidance":
            assert entry.spec.section == "seek-professional-help-if-needed", entry.id


def test_every_derivation_is_used(rulebook):
    used = set()
    for entry in rulebook.entries.values():
        used |= {ref for _, node in entry.spec.conditions for _, ref, _ in condition_references(node)}
    assert {e.id for e in rulebook.of_kind("derived")} <= used


def test_every_case_file_belongs_to_a_rule():
    stems = {
        p.name.removesuffix(".yaml") for p in RULES.rglob("*.yaml") if not p.name.endswith(".cases.yaml")
    }
    for case_file in RULES.rglob("*.cases.yaml"):
        assert case_file.name.removesuffix(".cases.yaml") in stems, case_file


def test_rulebook_has_a_version_and_digest(rulebook):
    assert rulebook.version == "2.2.0"
    assert rulebook.digest.startswith("sha256:") and len(rulebook.digest) == 71


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def test_digest_ignores_whitespace_and_file_order(rules_copy, rulebook):
    rule = rules_copy / "safety" / "concern-partner-safety.yaml"
    rule.write_text("\n\n" + rule.read_text().replace("kind: rule\n", "kind:    rule\n\n"))
    (rules_copy / "safety").rename(rules_copy / "zz-moved-safety")
    assert load_rulebook(rules_copy).digest == rulebook.digest


def test_digest_changes_with_a_threshold(rules_copy, rulebook):
    rule = rules_copy / "walk-away" / "walk-away-many-signs.yaml"
    rule.write_text(rule.read_text().replace("at_least: 3", "at_least: 4"))
    assert load_rulebook(rules_copy).digest != rulebook.digest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


HELP = "help-for-you/help-past-hurt.yaml"
CASES = "help-for-you/help-past-hurt.cases.yaml"
SELF_HARM = "safety/concern-self-harm.yaml"
BROKEN = {
    "yaml_syntax_error": (
        lambda d: _edit(d / HELP, "when: {answer", "when: [{answer"),
        HELP,
        10,
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
        HELP,
        2,
        "duplicate id 'help-past-hurt'",
    ),
    "unknown_question": (
        lambda d: _edit(d / HELP, "answer: past_hurt_affects_me", "answer: past_hurts"),
        HELP,
        9,
        "unknown question id 'past_hurts' (did you mean 'past_hurt_affects_me'?)",
    ),
    "unknown_section": (
        lambda d: _edit(d / HELP, "section: emotional-barriers", "section: emotional-walls"),
        HELP,
        7,
        "not a section id",
    ),
    "missing_basis": (lambda d: _edit(d / HELP, "basis: article\n", ""), HELP, 1, "basis"),
    "unknown_basis": (lambda d: _edit(d / HELP, "basis: article", "basis: opinion"), HELP, 8, "basis is"),
    "article_basis_citing_what_it_does_not_read": (
        lambda d: _edit(d / HELP, "section: emotional-barriers-and-past-trauma", "section: wrapping-up"),
        HELP,
        7,
        "neither the section of what this gives nor of a question or option it reads",
    ),
    "safety_guidance_citing_the_article": (
        lambda d: _edit(
            d / SELF_HARM, "section: seek-professional-help-if-needed", "section: choosing-to-walk-away"
        ),
        SELF_HARM,
        7,
        "safety guidance does not come from the article",
    ),
    "concern_not_listed": (
        lambda d: _edit(d / SELF_HARM, "concern: self_harm", "concern: selfharm"),
        SELF_HARM,
        12,
        "is not listed in concerns",
    ),
    "concern_without_a_rule": (
        lambda d: _edit(d / "rulebook.yaml", "  - suicide_history\n", "  - suicide_history\n  - gambling\n"),
        "rulebook.yaml",
        19,
        "'gambling' needs exactly one rule",
    ),
    "urgent_concern_without_its_words": (
        lambda d: _edit(
            d / "safety/concern-partner-safety-now.yaml",
            "  headline: Your safety comes first right now\n",
            "",
        ),
        "safety/concern-partner-safety-now.yaml",
        10,
        "an urgent concern needs 'headline'",
    ),
    "step_missing_from_the_order": (
        lambda d: _edit(d / "rulebook.yaml", "  - bring-back-closeness\n", ""),
        "rulebook.yaml",
        25,
        "the step 'bring-back-closeness' is missing",
    ),
    "resource_for_nothing": (
        lambda d: _edit(d / "rulebook.yaml", "for: [mood]", "for: [moods]"),
        "rulebook.yaml",
        next(
            n
            for n, line in enumerate((RULES / "rulebook.yaml").read_text().splitlines(), 1)
            if "for: [mood]" in line
        ),
        "'moods' names no concern",
    ),
    "case_file_missing": (
        lambda d: (d / CASES).unlink(),
        HELP,
        1,
        "no cases: add help-past-hurt.cases.yaml beside it",
    ),
    "no_silent_case": (
        lambda d: _edit(
            d / CASES,
            "- name: silent_when_walls_come_without_past_hurt\n  answers: {walls_when_close: 5}\n"
            "  fires: false\n  expect: {recommendation: rebuild}\n",
            "",
        ),
        CASES,
        1,
        "add a silent_ case",
    ),
    "derivation_without_cases": (
        lambda d: (d / "derived" / "low-mood.cases.yaml").unlink(),
        "derived/low-mood.yaml",
        1,
        "no cases: add low-mood.cases.yaml",
    ),
    "unknown_effect_kind": (
        lambda d: _edit(d / HELP, "kind: outcome,", "kind: verdict,"),
        HELP,
        10,
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
        11,
        "quote it",
    ),
    "operator_does_not_fit": (
        lambda d: _edit(d / HELP, "is: true", "at_least: 2"),
        HELP,
        9,
        "does not fit a boolean",
    ),
    "unknown_derivation": (
        lambda d: _edit(d / "help-for-you/help-low-mood.yaml", "derived: low-mood", "derived: low-moods"),
        "help-for-you/help-low-mood.yaml",
        9,
        "'low-moods' (did you mean 'low-mood'?) is not a yes/no derivation",
    ),
    "unknown_outcome_level": (
        lambda d: _edit(d / HELP, "outcome: help-for-you", "outcome: therapy"),
        HELP,
        10,
        "not an outcome level",
    ),
    "orphan_case_file": (
        lambda d: shutil.copy(d / CASES, d / "steps/help-old.cases.yaml"),
        "steps/help-old.cases.yaml",
        1,
        "orphan case file",
    ),
    "bad_case_answers": (
        lambda d: _edit(d / CASES, "{past_hurt_affects_me: true}", "{past_hurt_affects_me: 1}"),
        CASES,
        2,
        "true or false",
    ),
    "bad_case_name": (
        lambda d: _edit(d / CASES, "fires_with_past_hurt", "works"),
        CASES,
        1,
        "fires_ or silent_",
    ),
    "duplicate_priority": (
        lambda d: _edit(d / "outcomes/rebuild.yaml", "priority: 5", "priority: 4"),
        "outcomes/rebuild.yaml",
        10,
        "already used",
    ),
    "yields_to_an_unknown_level": (
        lambda d: _edit(
            d / "outcomes/consider-walking-away.yaml", "yields_to: help-for-you", "yields_to: help-for-me"
        ),
        "outcomes/consider-walking-away.yaml",
        16,
        "yields_to: 'help-for-me' (did you mean 'help-for-you'?) is not another level",
    ),
    "variant_after_a_level_that_never_gives_way_to_it": (
        lambda d: _edit(
            d / "outcomes/help-for-you.yaml", "yielded_from: consider-walking-away", "yielded_from: rebuild"
        ),
        "outcomes/help-for-you.yaml",
        24,
        "'rebuild' is not a level that gives way to this one",
    ),
    "count_beyond_list": (
        lambda d: _edit(d / "walk-away/walk-away-many-signs.yaml", "at_least: 3", "at_least: 5"),
        "walk-away/walk-away-many-signs.yaml",
        9,
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


def test_couple_work_patterns_are_the_conditions_of_the_help_together_rules(rulebook):
    """The derivation repeats the help-together rules' conditions in one place (for partner caution):
    over many answer sets, it holds exactly when one of those rules would."""
    import random

    from schemas.model import Derived
    from service.core.explain import held
    from service.core.intake import read_answers
    from tests.answers import random_answers

    entries = rulebook.entries
    together = [r for r in rulebook.rules() if getattr(r.effect, "outcome", None) == "help-together"]
    assert len(together) == 3
    rng = random.Random(7)
    seen = set()
    for _ in range(3000):
        facts = read_answers(random_answers(rng)).facts
        derived = held(Derived("couple-work-patterns"), facts, entries)[0]
        assert derived == any(held(rule.when, facts, entries)[0] for rule in together), facts
        seen.add(derived)
    assert seen == {True, False}


def test_a_broken_rule_file_is_reported_once(rules_copy):
    (rules_copy / HELP).write_text("id: x\nwhen: [unclosed\n")
    with pytest.raises(RulebookError) as caught:
        load_rulebook(rules_copy)
    assert [str(p).split(":")[0] for p in caught.value.problems] == [str(rules_copy / HELP)]
