"""The couple rules as files: checked on load, carried in the digest, shown in the report, compared by
`rules diff`."""

import shutil

import pytest

from service.audit.impact import rule_changes
from service.audit.report import rulebook_blocks, to_markdown
from service.core.rulebook import default_rules_dir, load_rulebook
from service.core.rulecheck import RulebookError


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target)
    return target


def _problems(directory) -> str:
    with pytest.raises(RulebookError) as refused:
        load_rulebook(directory)
    return "\n".join(str(problem) for problem in refused.value.problems)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("see-each-alone.yaml", "priority: 1\n", "priority: 7\n", "exactly one level is the gate"),
        ("see-each-alone.yaml", "result: safety_signal", "result: safety_signal_now", "unknown result fact"),
        ("mixed-agenda.yaml", "is: consider_walking_away", "is: walk_away", "'recommendation' takes"),
        ("both-leaning-out.yaml", "answer: self_willing", "answer: self_wiling", "unknown question id"),
        (
            "rebuild-together.yaml",
            "when: {always: true}",
            'when: {both: {answer: self_willing, is: "yes"}}',
            "the last joint level",
        ),
        ("joint-words.yaml", "gap_step: talk-about-willingness", "gap_step: talk-more", "gap_step"),
        (
            "support-first.yaml",
            "section: seek-professional-help-if-needed",
            "section: nowhere",
            "not a section",
        ),
        ("couple-counseling.yaml", "priority: 5", "priority: 4", "share a priority"),
        (
            "rebuild-together.cases.yaml",
            "level: rebuild_together",
            "level: rebuild_together\n  c: {}",
            "unknown",
        ),
    ],
)
def test_a_broken_couple_rule_is_refused_with_its_file(rules_copy, file, old, new, message):
    path = rules_copy / "couple" / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    problems = _problems(rules_copy)
    assert message in problems and "couple" in problems


def test_couple_rules_load_from_a_flat_folder_and_move_the_digest(rules_copy):
    packaged = load_rulebook()
    for path in (rules_copy / "couple").iterdir():
        path.rename(rules_copy / path.name)
    (rules_copy / "couple").rmdir()
    assert load_rulebook(rules_copy).digest == packaged.digest
    words = rules_copy / "mixed-agenda.yaml"
    words.write_text(words.read_text().replace("may want different things", "want different things"))
    changed = load_rulebook(rules_copy)
    assert changed.digest != packaged.digest
    assert rule_changes(packaged, changed)["changed"] == {
        "couple/mixed-agenda": {
            "title": ("The partners may want different things", "The partners want different things")
        }
    }


def test_without_couple_rules_the_rulebook_still_loads(rules_copy):
    shutil.rmtree(rules_copy / "couple")
    assert load_rulebook(rules_copy).couple is None


def test_the_report_shows_every_joint_level_with_its_cases(rulebook):
    text = to_markdown(rulebook_blocks(rulebook))
    section = text[text.index("## Couple mode") :]
    for level in rulebook.couple.levels:
        assert f"({level.level})" in section
        for case in rulebook.couple.cases[level.id]:
            assert case.name in section
    assert "for both partners" in section and "for either partner" in section
