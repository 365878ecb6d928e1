"""CDS Hooks: discovery and cards, checked against the specification's required fields and limits."""

import json
import uuid

import pytest

from schemas.model import ConcernEffect
from service import create_app
from tests.http.test_fhir import _published, response_for

SERVICE = "/cds-services/closeness-intimacy"


def _request(client, answers, where="prefetch"):
    resource = json.loads(response_for(_published(client), answers))
    request = {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/1", "patientId": "p1"},
    }
    if where == "prefetch":
        request["prefetch"] = {"questionnaireResponse": resource}
    elif where == "bundle":
        request["prefetch"] = {
            "questionnaireResponse": {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": resource}],
            }
        }
    else:
        request["context"]["questionnaireResponse"] = resource
    return request


def _check_card(card):
    """Required card fields and limits from the CDS Hooks specification."""
    assert isinstance(card["summary"], str) and 0 < len(card["summary"]) <= 140
    assert card["indicator"] in ("info", "warning", "critical")
    assert card["source"]["label"] and card["source"]["url"].startswith("http")
    uuid.UUID(card["uuid"])
    for link in card.get("links", []):
        # Support numbers are links a phone can dial (tel:, sms:); the rest are web pages.
        assert link["label"] and link["url"].startswith(("http", "tel:", "sms:"))
        assert link["type"] in ("absolute", "smart")


def test_discovery_describes_the_service(client):
    services = client.get("/cds-services").get_json()["services"]
    assert len(services) == 1
    service = services[0]
    assert {"id", "hook", "description"} <= set(service) and service["hook"] == "patient-view"
    assert "{{context.patientId}}" in service["prefetch"]["questionnaireResponse"]


@pytest.mark.parametrize(
    ("change", "indicator", "recommendation"),
    [
        ({"afraid_of_partner": True, "unsafe_now": False}, "critical", "Get professional help (urgent)"),
        (
            {"self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True},
            "warning",
            "Consider walking away",
        ),
        ({"past_hurt_affects_me": True}, "warning", "Get professional help"),
        ({}, "info", "Rebuild closeness together"),
    ],
    ids=["urgent", "walk_away", "help", "rebuild"],
)
def test_one_card_per_recommendation(client, baseline, change, indicator, recommendation):
    response = client.post(SERVICE, json=_request(client, {**baseline, **change}))
    assert response.status_code == 200
    (card,) = response.get_json()["cards"]
    _check_card(card)
    assert card["indicator"] == indicator
    assert card["detail"].startswith(f"**Recommendation:** {recommendation}")


def test_urgent_card_leads_with_the_concerns_and_a_validated_follow_up(client, baseline):
    card = client.post(
        SERVICE,
        json=_request(client, {**baseline, "suicidal_thoughts": True, "suicidal_thoughts_now": False}),
    ).get_json()["cards"][0]
    detail = card["detail"]
    assert (
        detail.index("**Safety screen**")
        < detail.index("**Support shown to the client**")
        < detail.index("**Why**")
    )
    assert "Urgent: " in detail and "`suicide_risk`" in detail and "C-SSRS" in detail
    assert "**Suggested steps**" not in detail


def test_partner_concerns_tell_the_clinician_to_see_the_client_alone(client, baseline):
    answers = {**baseline, "partner_controls": True, "unsafe_now": False, "wished_dead": "declined"}
    card = client.post(SERVICE, json=_request(client, answers)).get_json()["cards"][0]
    detail = card["detail"]
    assert card["indicator"] == "warning"
    assert "Noted: " in detail and "`partner_control`" in detail
    assert "See the client alone, and do not raise these answers in a joint session." in detail
    assert "`wished_dead`" in detail and "positive screen" in detail


def test_low_mood_suggests_the_phq_9(client, baseline):
    answers = {**baseline, "feeling_down": True, "lost_interest": True, "partner_insults": "declined"}
    detail = client.post(SERVICE, json=_request(client, answers)).get_json()["cards"][0]["detail"]
    assert "PHQ-9" in detail


@pytest.mark.parametrize("where", ["prefetch", "bundle", "context"])
def test_response_is_found_in_prefetch_bundle_or_context(client, baseline, where):
    response = client.post(SERVICE, json=_request(client, {**baseline, "attempts_keep_failing": True}, where))
    assert response.status_code == 200 and response.get_json()["cards"][0]["indicator"] == "warning"


def test_card_cites_the_article_when_its_address_is_configured(baseline):
    client = create_app(
        {"TESTING": True, "ARTICLE_BASE_URL": "https://articles.example/closeness"}
    ).test_client()
    card = client.post(
        SERVICE,
        json=_request(
            client, {**baseline, "self_willing": "no", "partner_willing": "no", "attempts_keep_failing": True}
        ),
    )
    assert (
        card.get_json()["cards"][0]["source"]["url"]
        == "https://articles.example/closeness#choosing-to-walk-away"
    )


def test_missing_questionnaire_response_is_412(client, baseline):
    request = _request(client, baseline)
    request["prefetch"] = {"questionnaireResponse": None}
    response = client.post(SERVICE, json=request)
    assert response.status_code == 412 and response.get_json()["code"] == "precondition_failed"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hook": None}, "hook"),
        ({"hookInstance": 5}, "hookInstance"),
        ({"context": []}, "context"),
        ({"hook": "order-select"}, "hook"),
        ({"prefetch": "x"}, "prefetch"),
    ],
    ids=["no_hook", "bad_instance", "bad_context", "other_hook", "bad_prefetch"],
)
def test_incomplete_hook_request_is_400(client, baseline, change, field):
    response = client.post(SERVICE, json={**_request(client, baseline), **change})
    assert response.status_code == 400 and field in response.get_json()["errors"]


def test_unknown_service_is_404(client):
    assert client.post("/cds-services/other", json={}).status_code == 404


def test_invalid_response_in_prefetch_gets_an_operation_outcome(client, baseline):
    request = _request(client, baseline)
    request["prefetch"]["questionnaireResponse"]["item"][0]["item"][0]["answer"] = [{"valueInteger": 42}]
    response = client.post(SERVICE, json=request)
    assert response.status_code == 422 and response.get_json()["resourceType"] == "OperationOutcome"


def test_ehr_browser_preflight_allows_authorization(baseline):
    client = create_app({"TESTING": True, "CORS_ORIGINS": ["https://ehr.example"]}).test_client()
    response = client.options(
        SERVICE,
        headers={
            "Origin": "https://ehr.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 204 and "Authorization" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    "change",
    [
        {"past_attempt": True, "attempt_recent": False, "suicidal_thoughts_now": False},
        {"wished_dead": "declined"},
    ],
    ids=["noted_history", "declined_suicide_item"],
)
def test_a_calm_result_with_a_screen_finding_never_reads_as_calm(client, baseline, change):
    card = client.post(SERVICE, json=_request(client, {**baseline, **change})).get_json()["cards"][0]
    _check_card(card)
    assert card["indicator"] == "warning" and "Safety screen" in card["summary"]
    assert "No lasting-distance pattern or safety concern" not in card["summary"]


def test_low_mood_alone_suggests_the_phq_9(client, baseline):
    answers = {**baseline, "feeling_down": True, "lost_interest": True}
    detail = client.post(SERVICE, json=_request(client, answers)).get_json()["cards"][0]["detail"]
    assert "PHQ-9" in detail and "**Safety screen**" not in detail


@pytest.mark.parametrize(
    ("change", "action"),
    [
        (
            {"suicidal_thoughts": True, "suicidal_thoughts_now": True},
            "Now: an immediate suicide safety evaluation",
        ),
        ({"partner_harmed_me": True, "unsafe_now": "declined"}, "Now: an immediate safety evaluation"),
        ({"wished_dead": True, "suicidal_thoughts_now": False}, "Today: a brief suicide safety assessment"),
        ({"afraid_of_partner": True, "unsafe_now": False}, "Today: a brief safety assessment"),
        ({"suicidal_thoughts": "declined"}, "Today: treat a declined suicide item as a positive screen"),
        ({"partner_insults": True, "unsafe_now": False}, "Next contact: a danger assessment"),
        ({"self_harm": True}, "Next contact: ask about self-harm"),
        (
            {"past_attempt": True, "attempt_recent": False, "suicidal_thoughts_now": False},
            "Next contact: ask",
        ),
        ({"partner_controls": "declined"}, "Next contact: ask about safety with a partner again"),
        ({"self_harm": "declined"}, "Next contact: ask about self-harm again"),
    ],
    ids=[
        "suicide-now",
        "partner-now",
        "suicide",
        "partner",
        "declined-suicide",
        "control",
        "self-harm",
        "history",
        "declined-partner",
        "declined-self-harm",
    ],
)
def test_the_action_follows_acuity(client, baseline, change, action):
    detail = client.post(SERVICE, json=_request(client, {**baseline, **change})).get_json()["cards"][0][
        "detail"
    ]
    assert action in detail


def test_one_mood_item_suggests_the_phq_9(client, baseline):
    detail = client.post(SERVICE, json=_request(client, {**baseline, "lost_interest": True})).get_json()
    assert "PHQ-9" in detail["cards"][0]["detail"]


def test_support_numbers_are_dialable_links(client, baseline):
    answers = {**baseline, "afraid_of_partner": True, "unsafe_now": True}
    links = client.post(SERVICE, json=_request(client, answers)).get_json()["cards"][0]["links"]
    assert {"tel:112", "tel:911", "tel:999"} <= {link["url"] for link in links}


@pytest.mark.parametrize(
    ("change", "summary"),
    [
        ({"suicidal_thoughts": True, "suicidal_thoughts_now": True}, "assess now, before the client leaves"),
        ({"afraid_of_partner": True, "unsafe_now": "declined"}, "assess now, before the client leaves"),
        ({"wished_dead": True, "suicidal_thoughts_now": False}, "follow up today at the latest"),
        ({"suicidal_thoughts": "declined"}, "a declined suicide item (a positive screen). Assess today"),
        (
            {"partner_controls": True, "unsafe_now": False},
            "control or put-downs. Follow up at the next contact",
        ),
    ],
    ids=["suicide-now", "partner-now-declined", "suicide", "declined-suicide", "control"],
)
def test_the_card_summary_names_the_timing(client, baseline, change, summary):
    card = client.post(SERVICE, json=_request(client, {**baseline, **change})).get_json()["cards"][0]
    _check_card(card)
    assert summary in card["summary"]


def test_every_noted_summary_fits_a_card(rulebook):
    from service.interop.cds_cards import SCREENED_SUMMARY

    screened = [r.effect.clinician.screened for r in rulebook.rules() if isinstance(r.effect, ConcernEffect)]
    longest = SCREENED_SUMMARY.format(what=", ".join([*filter(None, screened), "a declined item"]))
    assert len(longest) <= 140  # the rulebook's words fit without the card's fallback to a count


def test_the_card_says_what_made_each_concern_hold(client, baseline):
    explicit = {**baseline, "suicidal_thoughts": True, "suicidal_thoughts_now": True}
    detail = client.post(SERVICE, json=_request(client, explicit)).get_json()["cards"][0]["detail"]
    assert "thoughts of suicide right now: yes" in detail
    declined = {**baseline, "suicidal_thoughts": True, "suicidal_thoughts_now": "declined"}
    detail = client.post(SERVICE, json=_request(client, declined)).get_json()["cards"][0]["detail"]
    assert "thoughts of suicide right now: not answered (skipped or declined), counted as yes" in detail
    attempt = {**baseline, "past_attempt": True, "attempt_recent": True, "suicidal_thoughts_now": False}
    detail = client.post(SERVICE, json=_request(client, attempt)).get_json()["cards"][0]["detail"]
    assert (
        "an attempt in the past three months: yes" in detail
        and "thoughts of suicide (past week)" not in detail
    )


def test_a_rebuild_with_partner_caution_is_labelled_to_start_on_their_own(client, baseline):
    answers = {**baseline, "partner_harmed_me": "declined", "unsafe_now": False}
    detail = client.post(SERVICE, json=_request(client, answers)).get_json()["cards"][0]["detail"]
    assert "**Recommendation:** Rebuild closeness, starting on their own" in detail


def test_the_card_says_what_the_suggestion_depends_on(client, baseline):
    answers = {**baseline, "attempts_keep_failing": True}
    detail = client.post(SERVICE, json=_request(client, answers)).get_json()["cards"][0]["detail"]
    assert "**What this suggestion depends on**" in detail
    tries = "if your tries to get closer were not failing again and again"
    assert f"- {tries}: rebuild closeness together" in detail
    noted = {**answers, "partner_insults": True, "unsafe_now": False}
    detail = client.post(SERVICE, json=_request(client, noted)).get_json()["cards"][0]["detail"]
    assert "What this suggestion depends on" not in detail  # never beside a safety signal


def test_an_invalid_base_answer_is_never_said_to_count_as_yes(evaluator):
    from service.core.intake import SKIPPED_FOLLOW_UP
    from service.core.result import AnswerWarning
    from service.interop.cds_cards import _basis

    words = evaluator.resolver.clinician_words
    warnings = [
        AnswerWarning("partner_harmed_me", "This question needs an answer."),
        AnswerWarning("unsafe_now", SKIPPED_FOLLOW_UP),
    ]
    said = _basis(words["partner_safety"], {"afraid_of_partner": True}, warnings)
    assert "frightened by a partner or ex-partner: yes" in said and "sexually coerced" not in said
    assert "counted as yes" in _basis(words["partner_safety_now"], {}, warnings)
