"""POST /v1/assessments through the Flask test client."""

import json

import pytest

from tests.policy import decide


def test_valid_answers_get_a_result(client, baseline):
    response = client.post("/v1/assessments", json=baseline)
    assert response.status_code == 200
    body = response.get_json()
    assert body["recommendation"] == "rebuild" and body["steps"][0]["id"] == "open-honest-communication"
    assert body["ruleset"]["digest"].startswith("sha256:")


@pytest.mark.parametrize(
    ("change", "recommendation", "urgent"),
    [
        ({"afraid_of_partner": True}, "professional_help", True),
        ({"self_willing": "no", "partner_willing": "no"}, "consider_walking_away", False),
        ({"same_problems_keep_returning": True}, "professional_help", False),
        ({}, "rebuild", False),
    ],
    ids=["safety", "walk_away", "help", "rebuild"],
)
def test_each_recommendation_over_http(client, baseline, change, recommendation, urgent):
    body = client.post("/v1/assessments", json={**baseline, **change}).get_json()
    assert (body["recommendation"], body["urgent"]) == (recommendation, urgent)
    expected = decide({**baseline, **change})
    assert {s["id"] for s in body["steps"]} == expected["steps"]
    assert body["also_consider"] == expected["also_consider"]


def test_urgent_result_lists_resources_first_class(client, baseline):
    body = client.post("/v1/assessments", json={**baseline, "thoughts_of_self_harm": True}).get_json()
    assert body["resources"] and all(r["name"] and r["description"] for r in body["resources"])
    assert body["steps"] == [] and body["also_consider"] == []


def test_charset_in_content_type_is_accepted(client, baseline):
    response = client.post(
        "/v1/assessments", data=json.dumps(baseline), content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 200


def test_validation_errors_name_each_question(client, baseline):
    del baseline["self_willing"]
    response = client.post("/v1/assessments", json={**baseline, "ready_to_share": 7, "extra": 1})
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_failed" and body["status"] == 422
    assert set(body["errors"]) == {"self_willing", "ready_to_share", "extra"}
    assert body["request_id"] == response.headers["X-Request-ID"]
