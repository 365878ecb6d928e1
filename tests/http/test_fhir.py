"""FHIR: the published Questionnaire, and QuestionnaireResponses in place of JSON answers."""

import json

import pytest
from fhir.resources.questionnaire import Questionnaire as QuestionnaireR5
from fhir.resources.R4B.questionnaire import Questionnaire as QuestionnaireR4
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import given, settings

from schemas.questionnaire import load_questionnaire
from tests.unit.test_decision import _answers_strategy

FHIR = "application/fhir+json"
SAFETY = {q.id for q in load_questionnaire().safety_questions}
SAFETY_CODE = {True: "yes", False: "no", "declined": "declined"}


def _published(client, version=None):
    url = "/fhir/Questionnaire/closeness-v2" + (f"?fhirVersion={version}" if version else "")
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == FHIR
    return response.get_json()


def _questions(items):
    for item in items:
        if item["type"] == "group":
            yield from _questions(item["item"])
        else:
            yield item


def response_for(published: dict, answers: dict) -> str:
    """A QuestionnaireResponse built with fhir.resources (R4B) from the published Questionnaire alone."""

    def answer_items(item):
        value = answers.get(item["linkId"])
        if value is None:
            return None
        values = value if isinstance(value, list) else [value]
        if item["type"] == "boolean":
            out = [{"valueBoolean": v} for v in values]
        elif item["linkId"] in SAFETY:
            options = {o["valueCoding"]["code"]: o["valueCoding"] for o in item["answerOption"]}
            out = [{"valueCoding": options[SAFETY_CODE[v]]} for v in values]
        elif item["type"] == "integer":
            out = [{"valueInteger": v} for v in values]
        else:
            options = {o["valueCoding"]["code"]: o["valueCoding"] for o in item["answerOption"]}
            out = [{"valueCoding": options[v]} for v in values]
        return {"linkId": item["linkId"], "answer": out} if out else None

    groups = []
    for group in published["item"]:
        items = [i for i in (answer_items(q) for q in group["item"]) if i]
        if items:
            groups.append({"linkId": group["linkId"], "item": items})
    resource = QuestionnaireResponse.model_validate(
        {
            "resourceType": "QuestionnaireResponse",
            "questionnaire": f"{published['url']}|{published['version']}",
            "status": "completed",
            "item": groups,
        }
    )
    return resource.model_dump_json(exclude_none=True)


def test_questionnaire_validates_as_r4_and_r5(client):
    r4 = QuestionnaireR4.model_validate(_published(client))
    r5 = QuestionnaireR5.model_validate(_published(client, "5.0"))
    assert r4.url == r5.url and r4.url.endswith("/Questionnaire/closeness-v2")
    assert r4.status == r5.status == "active" and r4.version == "2"


@pytest.mark.parametrize("version", [None, "5.0"], ids=["r4", "r5"])
def test_every_question_is_an_item_of_the_right_type(client, version):
    published = _published(client, version)
    questionnaire = load_questionnaire()
    assert [g["text"] for g in published["item"]] == [g.title for g in questionnaire.groups]
    items = {item["linkId"]: item for item in _questions(published["item"])}
    assert list(items) == list(questionnaire.ids)
    choice = "coding" if version else "choice"
    for question in questionnaire.questions:
        item = items[question.id]
        assert item["required"] == question.required
        expected = {"integer": "integer", "boolean": "boolean", "choice": choice, "multi_choice": choice}
        assert item["type"] == expected.get(question.type, choice)
        if question.type == "safety":
            codings = [o["valueCoding"] for o in item["answerOption"]]
            assert [(c["code"], c["display"]) for c in codings] == [
                ("yes", "Yes"),
                ("no", "No"),
                ("declined", "I'd rather not say"),
            ]
            if question.follow_up_of:
                # Asked after a trigger's yes or its "I'd rather not say" (v2.1).
                assert [(w["question"], w["answerCoding"]["code"]) for w in item["enableWhen"]] == [
                    (trigger, code) for trigger in question.follow_up_of for code in ("yes", "declined")
                ]
                assert all(w["operator"] == "=" for w in item["enableWhen"])
                assert item["enableBehavior"] == "any"
            else:
                assert "enableWhen" not in item
        if question.type in ("choice", "multi_choice"):
            codings = [o["valueCoding"] for o in item["answerOption"]]
            assert [(c["code"], c["display"]) for c in codings] == [
                (o.value, o.label) for o in question.options
            ]
            assert item["repeats"] == (question.type == "multi_choice")
        if question.type == "integer":
            assert [o["valueInteger"] for o in item["answerOption"]] == [1, 2, 3, 4, 5]


def test_unknown_questionnaire_and_version_get_an_operation_outcome(client):
    missing = client.get("/fhir/Questionnaire/other")
    assert missing.status_code == 404 and missing.get_json()["resourceType"] == "OperationOutcome"
    version = client.get("/fhir/Questionnaire/closeness-v2?fhirVersion=3.0")
    assert version.status_code == 400 and version.get_json()["issue"][0]["code"] == "not-supported"


@settings(max_examples=150, deadline=None)
@given(_answers_strategy())
def test_questionnaire_response_decides_like_json(app, answers):
    client = app.test_client()
    published = _published(client)
    as_fhir = client.post("/v1/assessments", data=response_for(published, answers), content_type=FHIR)
    as_json = client.post("/v1/assessments", json=answers)
    assert as_fhir.status_code == as_json.status_code == 200
    assert as_fhir.get_json() == as_json.get_json()


def test_an_urgent_concern_decides_from_a_partial_and_partly_wrong_response(client):
    published = _published(client)
    partial = json.loads(response_for(published, {"partner_harmed_me": True, "unsafe_now": True}))
    partial["item"].append({"linkId": "ready_to_share", "answer": [{"valueString": "four"}]})
    response = client.post("/v1/assessments", data=json.dumps(partial), content_type=FHIR)
    assert response.status_code == 200
    body = response.get_json()
    assert body["urgent"] is True and body["safety"]["urgent"] == ["partner_safety_now"]
    warned = {w["question"]: w["message"] for w in body["warnings"]}
    assert "valueInteger (got valueString)" in warned["ready_to_share"] and "four" not in json.dumps(body)


def test_a_refused_response_with_a_safety_yes_carries_support(client, baseline):
    items = [i for i in _valid_items(baseline) if i["linkId"] != "time_to_listen"]
    items = _replace(items, "self_harm", [{"valueCoding": {"code": "yes"}}])
    response = client.post("/v1/assessments", data=json.dumps(_response(items)), content_type=FHIR)
    assert response.status_code == 422
    issues = response.get_json()["issue"]
    assert [i["code"] for i in issues if i["severity"] == "error"] == ["required"]
    support = [i["diagnostics"] for i in issues if i["severity"] == "information"]
    assert support and all(text.startswith("Support: ") for text in support)


def _valid_items(baseline):
    items = []
    for qid, value in baseline.items():
        if qid in SAFETY:
            items.append({"linkId": qid, "answer": [{"valueCoding": {"code": SAFETY_CODE[value]}}]})
        elif isinstance(value, bool):
            items.append({"linkId": qid, "answer": [{"valueBoolean": value}]})
        elif isinstance(value, int):
            items.append({"linkId": qid, "answer": [{"valueInteger": value}]})
        elif isinstance(value, str):
            items.append({"linkId": qid, "answer": [{"valueCoding": {"code": value}}]})
    return items


def _response(items, **extra):
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items, **extra}


def _replace(items, link_id, answer):
    return [dict(i, answer=answer) if i["linkId"] == link_id else i for i in items]


BAD = {
    "unknown_link_id": (
        lambda items: _response(
            items + [{"linkId": "favourite_colour", "answer": [{"valueString": "teal"}]}]
        ),
        "not-found",
        None,
        "favourite_colour",
    ),
    "wrong_value_type": (
        lambda items: _response(_replace(items, "afraid_of_partner", [{"valueString": "true"}])),
        "value",
        "afraid_of_partner",
        "answer with valueCoding (got valueString)",
    ),
    "boolean_as_number": (
        lambda items: _response(_replace(items, "partner_always_blames", [{"valueBoolean": 1}])),
        "value",
        "partner_always_blames",
        "true or false",
    ),
    "unknown_safety_code": (
        lambda items: _response(_replace(items, "wished_dead", [{"valueCoding": {"code": "maybe"}}])),
        "code-invalid",
        "wished_dead",
        "yes, no, declined",
    ),
    "integer_out_of_range": (
        lambda items: _response(_replace(items, "ready_to_share", [{"valueInteger": 9}])),
        "value",
        "ready_to_share",
        "1 to 5",
    ),
    "unknown_code": (
        lambda items: _response(_replace(items, "self_willing", [{"valueCoding": {"code": "maybe"}}])),
        "code-invalid",
        "self_willing",
        "yes, unsure, no",
    ),
    "foreign_code_system": (
        lambda items: _response(
            _replace(
                items, "self_willing", [{"valueCoding": {"system": "http://snomed.info/sct", "code": "yes"}}]
            )
        ),
        "code-invalid",
        "self_willing",
        "codes",
    ),
    "missing_required": (
        lambda items: _response([i for i in items if i["linkId"] != "self_harm"]),
        "required",
        "self_harm",
        "needs an answer",
    ),
    "duplicate_item": (
        lambda items: _response(items + [items[0]]),
        "duplicate",
        "afraid_of_partner",
        "more than once",
    ),
    "two_answers_on_one_question": (
        lambda items: _response(
            _replace(
                items, "afraid_of_partner", [{"valueCoding": {"code": "no"}}, {"valueCoding": {"code": "no"}}]
            )
        ),
        "invalid",
        "afraid_of_partner",
        "one answer",
    ),
    "other_questionnaire": (
        lambda items: _response(items, questionnaire="http://example.org/Questionnaire/phq-9"),
        "invalid",
        None,
        "Questionnaire/closeness-v2",
    ),
    "retired_item": (
        lambda items: _response(
            items + [{"linkId": "thoughts_of_self_harm", "answer": [{"valueBoolean": False}]}]
        ),
        "not-found",
        None,
        "closeness-v1, which was retired",
    ),
    "retired_questionnaire": (
        lambda items: _response(
            items, questionnaire="https://closeness.invalid/fhir/Questionnaire/closeness-v1"
        ),
        "invalid",
        None,
        "closeness-v1, which was retired",
    ),
    "wrong_resource_type": (
        lambda items: {"resourceType": "Patient", "id": "p1"},
        "invalid",
        None,
        "QuestionnaireResponse",
    ),
    "not_a_resource": (lambda items: ["QuestionnaireResponse"], "invalid", None, "QuestionnaireResponse"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_questionnaire_response_gets_an_operation_outcome(client, baseline, name):
    build, code, link_id, text = BAD[name]
    response = client.post(
        "/v1/assessments", data=json.dumps(build(_valid_items(baseline))), content_type=FHIR
    )
    assert response.status_code == 422 and response.mimetype == FHIR
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    matching = [i for i in outcome["issue"] if i["code"] == code and text in i["diagnostics"]]
    assert matching, outcome
    if link_id:
        assert matching[0]["expression"] == [f"QuestionnaireResponse.item.where(linkId='{link_id}')"]
    assert "teal" not in json.dumps(outcome)


def test_malformed_fhir_json_is_a_400_operation_outcome(client):
    response = client.post("/v1/assessments", data=b'{"resourceType": ', content_type=FHIR)
    assert response.status_code == 400 and response.get_json()["issue"][0]["code"] == "structure"


def test_a_valid_response_with_groups_omitted_is_read_too(client, baseline):
    response = client.post(
        "/v1/assessments", data=json.dumps(_response(_valid_items(baseline))), content_type=FHIR
    )
    assert response.status_code == 200 and response.get_json()["recommendation"] == "rebuild"


@pytest.mark.parametrize("depth", [30, 300, 2000])
def test_deeply_nested_groups_are_refused_not_a_crash(depth):
    from service import create_app

    client = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 1 << 20}).test_client()
    # Written as text: json.dumps itself cannot nest this deep.
    inner = '{"linkId": "ready_to_share", "answer": [{"valueInteger": 3}]}'
    items = '{"linkId": "section-availability", "item": [' * depth + inner + "]}" * depth
    resource = '{"resourceType": "QuestionnaireResponse", "status": "completed", "item": [' + items + "]}"
    response = client.post("/v1/assessments", data=resource, content_type=FHIR)
    assert response.status_code in (400, 422) and response.get_json()["resourceType"] == "OperationOutcome"
    hook = (
        '{"hook": "patient-view", "hookInstance": "h", "context": {"questionnaireResponse": '
        + resource
        + "}}"
    )
    cds = client.post("/cds-services/closeness-intimacy", data=hook, content_type="application/json")
    assert cds.status_code in (400, 422)  # too deep to parse (400) or refused as too deep (422)


@pytest.mark.parametrize(
    "flaw",
    [{"authored": "yesterday"}, {"status": 5}, {"item": "not a list"}],
    ids=["bad_date", "bad_status", "item_not_a_list"],
)
def test_an_urgent_answer_decides_even_when_the_response_breaks_the_model(client, flaw):
    published = _published(client)
    resource = json.loads(response_for(published, {"suicidal_thoughts_now": True, "wished_dead": True}))
    if "item" in flaw:  # the urgent answer in a well-formed item, next to a broken one
        resource["item"].append({"linkId": "section-availability", "item": flaw["item"]})
    else:
        resource.update(flaw)
    response = client.post("/v1/assessments", data=json.dumps(resource), content_type=FHIR)
    assert response.status_code == 200
    body = response.get_json()
    assert body["urgent"] is True and body["safety"]["urgent"] == ["suicide_risk_now"]
    assert any(w["question"] == "_response" for w in body["warnings"])


@pytest.mark.parametrize(
    "items",
    [
        ["x"],
        [{"linkId": 5}],
        [{"linkId": "self_harm", "answer": {"valueCoding": "yes"}}],
        [{"linkId": "self_harm", "answer": [{"valueCoding": "yes"}]}],
        [{"linkId": "section-history", "item": 3}],
    ],
    ids=[
        "item_not_an_object",
        "link_id_not_a_string",
        "answer_not_a_list",
        "coding_not_an_object",
        "group_items",
    ],
)
def test_a_broken_structure_is_an_operation_outcome_never_a_500(client, items):
    resource = {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items}
    response = client.post("/v1/assessments", data=json.dumps(resource), content_type=FHIR)
    assert response.status_code == 422 and response.get_json()["resourceType"] == "OperationOutcome"
