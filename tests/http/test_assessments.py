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
        ({"afraid_of_partner": True, "unsafe_now": False}, "professional_help", True),
        (
            {"self_willing": "no", "partner_willing": "no", "attempts_keep_failing": True},
            "consider_walking_away",
            False,
        ),
        ({"same_problems_keep_returning": True, "signs": ["resentment"]}, "professional_help", False),
        ({}, "rebuild", False),
    ],
    ids=["safety", "walk_away", "help", "rebuild"],
)
def test_each_recommendation_over_http(client, baseline, change, recommendation, urgent):
    body = client.post("/v1/assessments", json={**baseline, **change}).get_json()
    assert (body["recommendation"], body["urgent"]) == (recommendation, urgent)
    expected = decide({**baseline, **change})
    assert [s["id"] for s in body["steps"]] == expected["steps"]
    assert [a["recommendation"] for a in body["also_consider"]] == expected["also_consider"]
    assert body["safety"] == expected["safety"]


def test_urgent_result_lists_resources_first_class(client, baseline):
    body = client.post("/v1/assessments", json={**baseline, "suicidal_thoughts": True}).get_json()
    assert body["resources"] and all(r["name"] and r["description"] for r in body["resources"])
    assert body["steps"] == [] and body["also_consider"] == []
    assert (
        body["title"] == "If you are struggling right now, get help now"  # the follow-up was skipped
        and body["warnings"][0]["question"] == "suicidal_thoughts_now"
    )


def test_safety_answers_alone_get_the_urgent_result(client):
    response = client.post("/v1/assessments", json={"partner_harmed_me": True, "unsafe_now": True})
    assert response.status_code == 200
    body = response.get_json()
    assert body["urgent"] is True and body["safety"]["urgent"] == ["partner_safety_now"]
    assert "ready_to_share" in {w["question"] for w in body["warnings"]}


def test_a_422_with_a_noted_concern_carries_support_and_never_the_values(client, baseline):
    del baseline["time_to_listen"]
    secret = "my private words"
    response = client.post("/v1/assessments", json={**baseline, "self_harm": True, "ready_to_share": secret})
    assert response.status_code == 422
    body = response.get_json()
    assert set(body["errors"]) == {"time_to_listen", "ready_to_share"}
    assert body["safety_resources"] and secret not in response.get_data(as_text=True)


def test_v1_answers_get_a_422_naming_the_retired_questionnaire(client, baseline):
    response = client.post("/v1/assessments", json={"ready_to_share": 4, "thoughts_of_self_harm": False})
    assert response.status_code == 422
    body = response.get_json()
    assert "closeness-v1" in body["message"] and "retired" in body["message"]
    assert "safety_resources" not in body


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
