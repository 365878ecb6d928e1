"""Questionnaire v2 agrees with the product spec's tables and cites real article sections."""

import json
import os
import re
from pathlib import Path

import pytest

from schemas.questionnaire import article_sections, load_questionnaire

SHARED = Path(os.environ.get("CLOSENESS_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
SPEC = SHARED / "spec" / "questionnaire-and-policy.md"
SAFETY_SECTION = "seek-professional-help-if-needed"


def _spec_text() -> str:
    if not SPEC.exists():
        pytest.skip(f"the product spec is not beside the repository ({SPEC})")
    return SPEC.read_text(encoding="utf-8")


def _spec_tables() -> list[list[dict]]:
    """Every table of the spec whose header starts with "group | id", as rows of {header: cell}."""
    tables, header = [], None
    for line in _spec_text().splitlines():
        cells = (
            [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else None
        )
        if cells and cells[:2] == ["group", "id"]:
            header = cells
            tables.append([])
        elif cells and header and not set(line) <= set("|- "):
            tables[-1].append(dict(zip(header, cells, strict=True)))
        elif not cells:
            header = None
    return tables


def _id(cell: str) -> str:
    return re.search(r"`([a-z_]+)`", cell).group(1)


def test_every_spec_question_is_asked_in_order_safety_first():
    safety, relationship = _spec_tables()
    assert [_id(row["id"]) for row in safety + relationship] == list(load_questionnaire().ids)
    groups = [g.id for g in load_questionnaire().groups]
    assert groups[:2] == ["partner_safety", "how_you_have_been"]


def test_safety_questions_and_follow_ups_match_the_spec():
    questionnaire = load_questionnaire()
    for row in _spec_tables()[0]:
        question = questionnaire.question(_id(row["id"]))
        required = row["required"]
        if "not a safety question" in required:
            assert (question.type, question.required, question.default) == ("boolean", False, False)
            assert question.section == "consequences-of-ignoring-emotional-distance"
            continue
        assert question.type == "safety" and question.section == SAFETY_SECTION, question.id
        assert question.basis == "safety-guidance" and question.because is None
        if row["id"].startswith("↳"):
            assert not question.required
            named = re.findall(r"`([a-z_]+)`", required)
            if "four above" in required:
                named = ["afraid_of_partner", "partner_harmed_me", "partner_controls", "partner_insults"]
            assert list(question.follow_up_of) == named, question.id
        else:
            assert required == "yes" and question.required and not question.follow_up_of
            assert question.topic in ("partner", "suicide", "self_harm")


def test_relationship_questions_match_the_spec():
    questionnaire, sections = load_questionnaire(), article_sections()
    for row in _spec_tables()[1]:
        question = questionnaire.question(_id(row["id"]))
        kind, required = row["type"], row["required"]
        values = re.findall(r"`([a-z_]+)`", kind)
        if kind.startswith("integer"):
            low, high = map(int, re.search(r"(\d+)\D(\d+)", kind).groups())
            assert (question.type, question.minimum, question.maximum) == ("integer", low, high)
        elif kind.startswith("boolean"):
            assert question.type == "boolean"
        elif kind.startswith("array"):
            assert question.type == "multi_choice"
        else:
            assert (question.type, list(question.values)) == ("choice", values)
        assert question.required == required.startswith("yes"), question.id
        if not question.required:
            default = re.search(r"default `?([^`)]+)`?\)", required).group(1)
            assert json.dumps(question.default) == default, question.id
        if row["section"] != "per option":
            assert question.section == row["section"] and row["section"] in sections
        assert question.because, f"{question.id} needs second-person because texts"


def test_option_sections_match_the_spec():
    text = _spec_text()
    questionnaire = load_questionnaire()
    for question_id in ("missing_needs", "signs"):
        paragraph = re.search(rf"`{question_id}` options and their sections:(.*?)\n\n", text, re.S).group(1)
        expected = {}
        for piece in paragraph.split(";"):
            ids = re.findall(r"`([a-z_]+)`", piece.split("→")[0])
            section = re.search(r"→\s*([a-z-]+)", piece).group(1)
            expected.update(dict.fromkeys(ids, section))
        question = questionnaire.question(question_id)
        assert {o.value: o.section for o in question.options} == expected


def test_every_answer_has_its_because_text():
    for question in load_questionnaire().questions:
        if question.is_safety:
            continue
        if question.type == "multi_choice":
            assert "{items}" in question.because and all(o.phrase for o in question.options)
        elif question.type == "integer":
            assert set(question.because) == set(range(question.minimum, question.maximum + 1)), question.id
        elif question.type == "boolean" and question.id in ("feeling_down", "lost_interest"):
            # Optional and "no" by default: only a yes is read back (a "no" may never have been said).
            assert set(question.because) == {True}, question.id
        elif question.type == "boolean":
            assert set(question.because) == {True, False}, question.id
        else:
            assert set(question.because) == set(question.values), question.id


def test_the_intro_covers_what_the_spec_asks():
    intro = " ".join(p["text"] for p in load_questionnaire().intro).lower()
    for words in ("not therapy", "emergency", "answers", "adults", "rather not say", "only you use"):
        assert words in intro, words


def test_every_citation_in_the_questionnaire_is_a_real_section():
    questionnaire, sections = load_questionnaire(), article_sections()
    cited = [g.section for g in questionnaire.groups]
    for question in questionnaire.questions:
        cited += [question.section]
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
    assert [p["id"] for p in body["intro"]] == [p["id"] for p in questionnaire.intro]
    listed = [q["id"] for section in body["sections"] for q in section["questions"]]
    assert listed == list(questionnaire.ids)
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
            if question["type"] == "safety":
                assert [o["label"] for o in question["options"]] == ["Yes", "No", "I'd rather not say"]
            if question["required"]:  # ...leaving a required one out is not...
                assert qid in answers_schema.validate({k: v for k, v in baseline.items() if k != qid})
            elif "follow_up_of" in question:  # ...a follow-up left out stays out...
                assert qid not in answers_schema.load(baseline)
            else:  # ...and an optional one falls back to its default
                loaded = answers_schema.load({k: v for k, v in baseline.items() if k != qid})
                assert loaded[qid] == question["default"]
            if question["type"] == "integer":
                assert [o["value"] for o in question["options"]] == list(
                    range(question["minimum"], question["maximum"] + 1)
                )
                assert qid in answers_schema.validate({**baseline, qid: question["maximum"] + 1})


def test_the_questionnaire_file_reads_the_same_with_libyaml_and_pure_python():
    import yaml

    from schemas.questionnaire import DATA_DIR, QUESTIONNAIRE_FILE

    text = (DATA_DIR / QUESTIONNAIRE_FILE).read_text(encoding="utf-8")
    assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text)  # noqa: S506 - both safe loaders
