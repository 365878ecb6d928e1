"""Questionnaire v1 agrees with the product spec table and cites real article sections."""

import json
import os
import re
from pathlib import Path

import pytest

from schemas.questionnaire import article_sections, load_questionnaire

SHARED = Path(os.environ.get("CLOSENESS_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
SPEC = SHARED / "spec" / "questionnaire-and-policy.md"


def _spec_rows():
    if not SPEC.exists():
        pytest.skip(f"the product spec is not beside the repository ({SPEC})")
    rows = []
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows.append(cells)
    return rows


def test_every_spec_question_is_asked_in_order():
    assert [row[0].strip("`") for row in _spec_rows()] == list(load_questionnaire().ids)


def test_types_values_and_ranges_match_the_spec():
    questionnaire = load_questionnaire()
    for qid, kind, *_ in _spec_rows():
        question = questionnaire.question(qid.strip("`"))
        values = re.findall(r"`([a-z_]+)`", kind)
        if kind.startswith("integer"):
            low, high = map(int, re.search(r"(\d+)\D(\d+)", kind).groups())
            assert (question.type, question.minimum, question.maximum) == ("integer", low, high), qid
        elif kind.startswith("boolean"):
            assert question.type == "boolean", qid
        elif kind.startswith("array"):
            assert (question.type, list(question.values)) == ("multi_choice", values), qid
        else:
            assert (question.type, list(question.values)) == ("choice", values), qid


def test_required_and_defaults_match_the_spec():
    questionnaire = load_questionnaire()
    for qid, _, required, *_ in _spec_rows():
        question = questionnaire.question(qid.strip("`"))
        assert question.required == required.startswith("yes"), qid
        if not question.required:
            default = re.search(r"default `?([^`)]+)`?\)", required).group(1)
            assert json.dumps(question.default) == default, qid


def test_cited_sections_match_the_spec():
    questionnaire, sections = load_questionnaire(), article_sections()
    previous: set = set()
    for qid, _, _, cell, *_ in _spec_rows():
        question = questionnaire.question(qid.strip("`"))
        named = set(re.findall(r"[a-z]+(?:-[a-z]+)+", cell)) & set(sections)
        if "as above" in cell:
            named = previous
        previous = named
        assert named, qid
        assert question.section in named, qid
        assert named <= {question.section, *question.also_cites}, qid


def test_every_citation_in_the_questionnaire_is_a_real_section():
    questionnaire, sections = load_questionnaire(), article_sections()
    cited = [g.section for g in questionnaire.groups]
    for question in questionnaire.questions:
        cited += [question.section, *question.also_cites]
        cited += [option.section for option in question.options if option.section]
    assert set(cited) <= set(sections)


def test_every_question_belongs_to_a_declared_group():
    questionnaire = load_questionnaire()
    assert {q.group for q in questionnaire.questions} == {g.id for g in questionnaire.groups}


def test_packaged_section_index_matches_the_article():
    shared = SHARED / "article" / "sections.json"
    if not shared.exists():
        pytest.skip("the article is not beside the repository")
    assert list(article_sections().values()) == json.loads(shared.read_text(encoding="utf-8"))
    headings = re.findall(
        r"\{#([a-z0-9-]+)\}", (SHARED / "article" / "article.md").read_text(encoding="utf-8")
    )
    assert headings == list(article_sections())


def test_questionnaire_endpoint_groups_every_question(client):
    body = client.get("/v1/questionnaire").get_json()
    questionnaire = load_questionnaire()
    assert (body["id"], body["version"]) == (questionnaire.id, questionnaire.version)
    listed = [q["id"] for section in body["sections"] for q in section["questions"]]
    assert sorted(listed) == sorted(questionnaire.ids)
    for section in body["sections"]:
        assert (
            section["title"]
            and section["cites"]["title"] == article_sections()[section["cites"]["id"]]["title"]
        )


def test_questionnaire_endpoint_agrees_with_validation(client, baseline):
    from schemas.answers import answers_schema

    for section in client.get("/v1/questionnaire").get_json()["sections"]:
        for question in section["questions"]:
            qid = question["id"]
            assert question["cites"]["id"] == load_questionnaire().question(qid).section
            for option in question["options"]:  # every offered value is accepted...
                value = [option["value"]] if question["type"] == "multi_choice" else option["value"]
                assert answers_schema.load({**baseline, qid: value})[qid] == value
            if question["required"]:  # ...leaving a required one out is not...
                assert qid in answers_schema.validate({k: v for k, v in baseline.items() if k != qid})
            else:  # ...and an optional one falls back to its default
                loaded = answers_schema.load({k: v for k, v in baseline.items() if k != qid})
                assert loaded[qid] == question["default"]
            if question["type"] == "integer":
                assert [o["value"] for o in question["options"]] == list(
                    range(question["minimum"], question["maximum"] + 1)
                )
                assert qid in answers_schema.validate({**baseline, qid: question["maximum"] + 1})
