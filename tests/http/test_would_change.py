"""?explain=changes over HTTP: the field only when asked, never beside a safety or hold-back signal,
and a bad value never holds an urgent result back."""

import pytest


@pytest.mark.parametrize(
    "change",
    [
        {"afraid_of_partner": True, "unsafe_now": False},
        {"partner_insults": True, "unsafe_now": False},
        {"self_harm": "declined"},
        {"partner_controls": "declined"},
        {"lost_interest": True},
    ],
    ids=["urgent", "noted", "declined-self-harm", "declined-partner", "one-mood-item"],
)
def test_the_field_is_absent_beside_a_safety_or_hold_back_signal(client, baseline, change):
    answers = {
        **baseline,
        **change,
        "partner_always_blames": True,
        "attempts_keep_failing": True,
        "partner_willing": "no",
    }
    body = client.post("/v1/assessments?explain=changes", json=answers).get_json()
    assert "would_change" not in body


def test_the_field_is_there_only_when_asked(client, baseline):
    answers = {**baseline, "attempts_keep_failing": True}
    assert "would_change" not in client.post("/v1/assessments", json=answers).get_json()
    body = client.post("/v1/assessments?explain=changes", json=answers).get_json()
    assert body["would_change"][0]["changes"][0]["question"] == "attempts_keep_failing"
    assert client.post("/v1/assessments?explain=changes", json=baseline).get_json()["would_change"] == []
    assert client.post("/v1/assessments?explain=everything", json=answers).status_code == 400


def test_a_bad_explain_never_keeps_an_urgent_result_back(client):
    body = client.post("/v1/assessments?explain=everything", json={"afraid_of_partner": True})
    assert (
        body.status_code == 200
        and body.get_json()["urgent"] is True
        and "would_change" not in body.get_json()
    )


def test_the_fhir_intake_takes_the_same_parameter(client, baseline):
    from tests.http.test_fhir import response_for

    published = client.get("/fhir/Questionnaire/closeness-v2").get_json()
    body = response_for(published, {**baseline, "attempts_keep_failing": True})
    headers = {"Content-Type": "application/fhir+json"}
    result = client.post("/v1/assessments?explain=changes", data=body, headers=headers).get_json()
    assert result["would_change"][0]["recommendation"] == "rebuild"
    assert "would_change" not in client.post("/v1/assessments", data=body, headers=headers).get_json()


@pytest.mark.parametrize(
    "change", [{"partner_insults": True, "unsafe_now": False}, {"self_harm": "declined"}]
)
def test_a_bad_explain_never_keeps_back_the_support_for_a_noted_or_declined_item(client, baseline, change):
    response = client.post("/v1/assessments?explain=everything", json={**baseline, **change})
    assert response.status_code == 200 and response.get_json()["resources"]
