"""The readable rulebook: generated from the rule files alone, every rule with its sentence and link."""

import re

from service.audit.report import rulebook_blocks, to_html, to_markdown
from service.audit.sentences import condition_sentence


def test_every_rule_appears_with_its_sentence_and_source(rulebook):
    markdown = to_markdown(rulebook_blocks(rulebook, "https://articles.example/closeness"))
    for entry in rulebook.entries.values():
        assert f"({entry.id})" in markdown, entry.id
        assert f"(https://articles.example/closeness#{entry.spec.section})" in markdown, entry.id
        if entry.kind == "rule":
            first_line = condition_sentence(entry.spec.when, rulebook.entries).split("\n")[0]
            assert first_line in markdown, entry.id
    assert rulebook.digest in markdown and f"Version {rulebook.version}" in markdown


def test_conditions_read_as_sentences(rulebook):
    entries = rulebook.entries
    assert condition_sentence(entries["together-self-unsure"].spec.when, entries) == (
        "all of these hold:\n"
        "  - the answer to “I am willing to work on feeling closer again.” is “Not sure”\n"
        "  - the answer to “My partner wants to work on it too.” is not “Yes”"
    )
    assert condition_sentence(entries["walk-away-many-signs"].spec.when, entries).startswith(
        "all of these hold:\n  - at least 3 of these 4 hold (signs that the distance may last):"
    )
    assert "(a skipped follow-up counts as yes)" in condition_sentence(
        entries["concern-partner-safety-now"].spec.when, entries
    )
    assert "is 2 (disagree) or lower" in condition_sentence(
        entries["step-open-honest-communication"].spec.when, entries
    )


def test_decision_order_follows_priorities(rulebook):
    markdown = to_markdown(rulebook_blocks(rulebook))
    order = re.findall(r"^- Priority (\d+): \[([^\]]+)\]", markdown, re.M)
    assert [int(p) for p, _ in order] == [1, 2, 3, 4, 5]
    assert order[0][1] == "Your safety comes first"


def test_the_report_names_each_entrys_basis_and_the_concerns(rulebook):
    markdown = to_markdown(rulebook_blocks(rulebook))
    assert markdown.count("**Basis**: standard safety practice, not the article") == len(
        [e for e in rulebook.entries.values() if e.kind != "outcome" and e.spec.basis == "safety-guidance"]
    ) + len([level for level in rulebook.couple.levels if level.basis == "safety-guidance"])
    assert (
        "## Safety concerns" in markdown and "raises an urgent safety concern, suicide_risk_now" in markdown
    )


def test_html_has_an_anchor_and_a_definition_list_per_rule(rulebook):
    html = to_html(rulebook_blocks(rulebook))
    for entry in rulebook.entries.values():
        assert f'id="{entry.id}"' in html
    assert html.count("<dt>When</dt>") == len(rulebook.of_kind("rule")) + len(rulebook.couple.levels)
    for level in rulebook.couple.levels:
        assert f'id="couple-{level.id}"' in html
    assert "<script" not in html


def test_rulebook_page_is_served(client, rulebook):
    response = client.get("/rules")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert f'id="{rulebook.of_kind("rule")[0].id}"' in response.get_data(as_text=True)
