"""Couple mode end to end on real SQLite and PostgreSQL (shared/spec/couple-mode.md): the flow, the
"who sees what" rules tried from the other partner's invite, a spent invite and no credentials, the
gate's memory, erasure and what the database holds."""

import pytest

from tests.live.couples import (
    PRACTICE,
    answer,
    bearer,
    couple_app,
    create_pair,
    raw_dump,
    settle,
)

VARYING = {"x-request-id", "x-decision-id", "content-length"}


def _comparable(response) -> tuple:
    """A response as the other partner could compare it: status, headers (but ids), body (but ids)."""
    body = response.get_json()
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k not in ("withdraw_token", "decision_id", "request_id")}
    headers = sorted((k.lower(), v) for k, v in response.headers.items() if k.lower() not in VARYING)
    return response.status_code, headers, body


def test_the_whole_flow(database, baseline):
    app = couple_app(database)
    client = app.test_client()
    pair = create_pair(client)
    assert pair["invites"]["a"]["form_url"].endswith("#invite=" + pair["codes"]["a"])
    assert pair["codes"]["a"] not in pair["invites"]["a"]["answers_url"]
    assert pair["report_url"].endswith("#token=" + pair["token"]) and "?" not in pair["report_url"]
    first = client.get(f"/v1/couples/{pair['id']}", headers=PRACTICE).get_json()
    assert first["status"] == "waiting" and first["joint"] is None and first["label"] == "Room 3, Tuesday"
    assert first["partners"]["a"] == {
        "answered": False,
        "invite_expires_at": pair["invites"]["a"]["expires_at"],
        "result": None,
    }

    a_answers = {**baseline, "partner_willing": "not_discussed", "missing_needs": ["quality_time"]}
    b_answers = {**baseline, "missing_needs": ["quality_time", "respect"]}
    a = answer(client, pair["codes"]["a"], a_answers)
    assert a.status_code == 200 and len(a.get_json()["withdraw_token"]) >= 43
    # byte for byte the single-person result, apart from ids
    single = client.post("/v1/assessments", json=a_answers)
    assert _comparable(a)[2] == _comparable(single)[2]
    assert answer(client, pair["codes"]["b"], b_answers).status_code == 200
    settle(app)

    view = client.get(f"/v1/couples/{pair['id']}", headers=PRACTICE).get_json()
    assert view["status"] == "complete" and view["joint"]["level"] == "rebuild_together"
    assert view["partners"]["a"]["result"]["recommendation"] == "rebuild"
    comparison = view["joint"]["comparison"]
    assert comparison["missing_needs"] == {"shared": ["quality_time"], "only_a": [], "only_b": ["respect"]}
    assert comparison["perception_gaps"] == [
        {"seen_by": "a", "about": "b", "thinks": "not_discussed", "says": "yes"}
    ]
    assert view["joint"]["steps"][0] == {
        **view["joint"]["steps"][0],
        "id": "talk-about-willingness",
        "for": ["a", "b"],
    }
    assert {"invited"} == {event["event"] for event in comparison["history"]}

    report = client.get(f"/v1/couples/{pair['id']}/report", headers=bearer(pair["token"])).get_json()
    assert report["joint"] == view["joint"] and set(report["partners"]["a"]) == {"answered"}
    assert "result" not in str(report["partners"])
    own = client.get(f"/v1/couples/{pair['id']}/report/b", headers=bearer(pair["token"])).get_json()
    assert own == view["partners"]["b"]["result"]


def test_a_partners_response_never_depends_on_the_other(database, baseline):
    app = couple_app(database)
    client = app.test_client()
    alone, after = create_pair(client), create_pair(client)
    # In one pair B has answered (with a safety signal), in the other B has not.
    assert (
        answer(
            client, after["codes"]["b"], {**baseline, "afraid_of_partner": True, "unsafe_now": True}
        ).status_code
        == 200
    )
    settle(app)
    first = answer(client, alone["codes"]["a"], baseline)
    second = answer(client, after["codes"]["a"], baseline)
    assert _comparable(first) == _comparable(second)
    # Spent, wrong, missing and replaced invites all answer alike, whatever the other partner did.
    replaced = client.post(f"/v1/couples/{after['id']}/invites/b", headers=PRACTICE).get_json()
    attempts = [
        answer(client, alone["codes"]["a"], baseline),  # spent
        answer(client, after["codes"]["b"], baseline),  # voided (B's first invite, replaced)
        answer(client, "x" * 43, baseline),  # wrong
        client.post("/v1/couples/answers", json=baseline),  # no credentials
        answer(client, alone["token"], baseline),  # a report token is not an invite
        answer(client, pair_code_of(first), baseline),  # a withdrawal token is not an invite
    ]
    assert len({str(_comparable(r)) for r in attempts}) == 1 and attempts[0].status_code == 404
    assert answer(client, replaced["code"], baseline).status_code == 200


def pair_code_of(response) -> str:
    return response.get_json()["withdraw_token"]


def test_a_partners_invite_reads_nothing_of_the_pair(database, baseline):
    app = couple_app(database)
    client = app.test_client()
    pair = create_pair(client)
    answer(client, pair["codes"]["b"], baseline)
    settle(app)
    for code in (pair["codes"]["a"], pair["codes"]["b"]):  # an unspent and a spent invite
        for url in (
            f"/v1/couples/{pair['id']}",
            f"/v1/couples/{pair['id']}/report",
            f"/v1/couples/{pair['id']}/report/b",
        ):
            response = client.get(url, headers=bearer(code))
            assert response.status_code in (401, 404), url
            assert "rebuild" not in response.get_data(as_text=True)
    assert client.delete(f"/v1/couples/{pair['id']}", headers=bearer(pair["codes"]["a"])).status_code == 401
    assert client.delete("/v1/couples/answers", headers=bearer(pair["codes"]["a"])).status_code == 404


def test_a_422_does_not_spend_the_invite_and_still_gives_support(database, baseline):
    app = couple_app(database)
    client = app.test_client()
    pair = create_pair(client)
    refused = answer(
        client, pair["codes"]["a"], {**baseline, "wished_dead": "declined", "self_willing": "maybe"}
    )
    assert refused.status_code == 422 and refused.get_json()["safety_resources"]
    assert answer(client, pair["codes"]["a"], baseline).status_code == 200


SIGNALS = {
    "urgent": {"afraid_of_partner": True, "unsafe_now": True},
    "noted": {"partner_controls": True, "unsafe_now": False},
    "declined": {"suicidal_thoughts": "declined"},
}


@pytest.mark.parametrize("role", ["a", "b"])
@pytest.mark.parametrize("kind", SIGNALS)
def test_a_signal_in_either_partner_gates_the_pair(database, baseline, role, kind):
    app = couple_app(database)
    client = app.test_client()
    gated, calm = create_pair(client), create_pair(client)
    for pair, signal in ((gated, SIGNALS[kind]), (calm, {})):
        other = "b" if role == "a" else "a"
        answer(client, pair["codes"][role], {**baseline, **signal})
        answer(client, pair["codes"][other], {**baseline, "self_willing": "no"})
    settle(app)
    joint = client.get(f"/v1/couples/{gated['id']}", headers=PRACTICE).get_json()["joint"]
    assert joint["level"] == "see_each_alone" and "comparison" not in joint and "steps" not in joint
    page = client.get(f"/v1/couples/{gated['id']}/report", headers=bearer(gated["token"])).get_data(
        as_text=True
    )
    for word in (
        "afraid",
        "unsafe",
        "partner_safety",
        "partner_control",
        "suicid",
        "declined",
        "urgent",
        "noted",
    ):
        assert word not in page.lower()
    assert (
        client.get(f"/v1/couples/{calm['id']}", headers=PRACTICE).get_json()["joint"]["level"]
        == "mixed_agenda"
    )


def _gated_view(client, pair) -> dict:
    joint = client.get(f"/v1/couples/{pair['id']}", headers=PRACTICE).get_json()["joint"]
    return joint


def test_the_gate_remembers_a_withdrawal_and_a_voided_signal(database, baseline):
    app = couple_app(database)
    client = app.test_client()
    withdrawn, voided, voided_calm = create_pair(client), create_pair(client), create_pair(client)
    # A withdrawal: answered, withdrawn, answered again with a new invite.
    token = answer(client, withdrawn["codes"]["a"], baseline).get_json()["withdraw_token"]
    answer(client, withdrawn["codes"]["b"], baseline)
    settle(app)
    assert client.delete("/v1/couples/answers", headers=bearer(token)).status_code == 204
    assert client.delete("/v1/couples/answers", headers=bearer(token)).status_code == 404  # used
    after = client.get(f"/v1/couples/{withdrawn['id']}", headers=PRACTICE).get_json()
    assert (
        after["status"] == "waiting"
        and after["joint"] is None
        and after["partners"]["a"]["answered"] is False
    )
    assert after["partners"]["a"]["result"] is None
    fresh = client.post(f"/v1/couples/{withdrawn['id']}/invites/a", headers=PRACTICE).get_json()
    answer(client, fresh["code"], baseline)
    assert _gated_view(client, withdrawn)["level"] == "see_each_alone"
    # A void of a submission with a signal keeps the gate; without one it does not.
    for pair, signal in ((voided, {"partner_insults": "declined"}), (voided_calm, {})):
        answer(client, pair["codes"]["a"], {**baseline, **signal})
        answer(client, pair["codes"]["b"], baseline)
        code = client.post(f"/v1/couples/{pair['id']}/invites/a", headers=PRACTICE).get_json()["code"]
        assert client.get(f"/v1/couples/{pair['id']}", headers=PRACTICE).get_json()["joint"] is None
        answer(client, code, baseline)
    settle(app)
    assert _gated_view(client, voided)["level"] == "see_each_alone"
    view = _gated_view(client, voided_calm)
    assert view["level"] == "rebuild_together"
    assert [e["event"] for e in view["comparison"]["history"]].count("voided") == 1
    # all gated views are the same
    assert _gated_view(client, withdrawn) == _gated_view(client, voided)


def test_the_report_link_rotates_and_erasure_leaves_nothing(database, baseline):
    app = couple_app(database)
    client = app.test_client()
    pair = create_pair(client, label="Couple 17")
    answer(client, pair["codes"]["a"], {**baseline, "self_harm": True, "missing_needs": ["admiration"]})
    new = client.post(f"/v1/couples/{pair['id']}/report-link", headers=PRACTICE).get_json()["report_url"]
    token = new.split("#token=")[1]
    assert client.get(f"/v1/couples/{pair['id']}/report", headers=bearer(pair["token"])).status_code == 404
    assert client.get(f"/v1/couples/{pair['id']}/report", headers=bearer(token)).status_code == 200
    assert client.delete(f"/v1/couples/{pair['id']}", headers=PRACTICE).status_code == 204
    for url, headers in (
        (f"/v1/couples/{pair['id']}", PRACTICE),
        (f"/v1/couples/{pair['id']}/report", bearer(token)),
        (f"/v1/couples/{pair['id']}/report/a", bearer(token)),
    ):
        assert client.get(url, headers=headers).status_code == 404
    assert answer(client, pair["codes"]["b"], baseline).status_code == 404
    assert client.delete(f"/v1/couples/{pair['id']}", headers=PRACTICE).status_code == 404
    assert pair["id"].encode() not in raw_dump(database)


def test_a_raw_dump_holds_no_answer_concern_level_or_label(database, baseline):
    app = couple_app(database, DECISION_LOG=True, DECISION_LOG_ANSWERS=True)
    client = app.test_client()
    pair = create_pair(client, label="Jordan and Sam")
    answer(client, pair["codes"]["a"], {**baseline, "partner_controls": True, "unsafe_now": False})
    answer(
        client,
        pair["codes"]["b"],
        {**baseline, "missing_needs": ["physical_closeness"], "signs": ["push_pull"]},
    )
    settle(app)
    client.get(f"/v1/couples/{pair['id']}", headers=PRACTICE)
    assert app.extensions["closeness"].decision_log.flush(10)
    dump = raw_dump(database)
    assert pair["id"].encode() in dump  # the dump is real
    words = [
        "Jordan",
        "partner_controls",
        "unsafe_now",
        "missing_needs",
        "physical_closeness",
        "push_pull",
        "partner_control",
        "see_each_alone",
        "rebuild",
        "professional_help",
        "self_willing",
        "walls_when_close",
    ]
    for word in words + list(baseline):
        assert word.encode() not in dump, word
    for code in [*pair["codes"].values(), pair["token"]]:
        assert code.encode() not in dump


def test_every_couple_response_is_private(database, baseline):
    app = couple_app(database)
    client = app.test_client()
    pair = create_pair(client)
    responses = [
        answer(client, pair["codes"]["a"], baseline),
        client.get(f"/v1/couples/{pair['id']}", headers=PRACTICE),
        client.get(f"/v1/couples/{pair['id']}/report", headers=bearer(pair["token"])),
        client.get(f"/couples/{pair['id']}/report"),
        client.get(f"/couples/{pair['id']}/report/a"),
        client.get("/form"),
        answer(client, "nope" * 10, baseline),
    ]
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response.headers["X-Robots-Tag"]


def test_a_query_string_is_ignored_on_the_answers_url(database, baseline):
    app = couple_app(database)
    client = app.test_client()
    pair = create_pair(client)
    response = client.post(
        "/v1/couples/answers?explain=changes&x=1", json=baseline, headers=bearer(pair["codes"]["a"])
    )
    assert response.status_code == 200 and "would_change" not in response.get_json()


def test_a_submission_reads_nothing_of_the_other_partner(database, baseline):
    """B's sealed part made unreadable: A's answers still go in and come back alike."""
    from sqlalchemy import create_engine, update

    from service.audit.couples_store import couples

    app = couple_app(database)
    client = app.test_client()
    pair = create_pair(client)
    engine = create_engine(database)
    with engine.begin() as connection:
        connection.execute(update(couples).where(couples.c.id == pair["id"]).values(part_b=b"not sealed"))
    engine.dispose()
    response = answer(client, pair["codes"]["a"], baseline)
    assert response.status_code == 200 and response.get_json()["recommendation"] == "rebuild"
    token = response.get_json()["withdraw_token"]
    assert client.delete("/v1/couples/answers", headers=bearer(token)).status_code == 204


def test_no_code_or_token_reaches_a_log_line(database, baseline):
    import io
    import logging

    from service.api.middleware import JsonLineFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger("closeness")
    logger.addHandler(handler)
    try:
        app = couple_app(database, DECISION_LOG=True)
        client = app.test_client()
        pair = create_pair(client)
        token = answer(client, pair["codes"]["a"], baseline).get_json()["withdraw_token"]
        answer(client, pair["codes"]["a"], baseline)
        client.get(f"/v1/couples/{pair['id']}/report", headers=bearer(pair["token"]))
        client.delete("/v1/couples/answers", headers=bearer(token))
        client.post("/v1/couples/answers", json={"self_willing": "yes"}, headers=bearer(pair["codes"]["b"]))
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue()
    assert lines.count('"closeness.access"') >= 5
    for secret in [*pair["codes"].values(), pair["token"], token, "Room 3"]:
        assert secret not in lines


def test_a_read_never_shows_complete_without_the_joint_view(database, baseline):
    """Responses never closed here, so the queued decision never runs: the practice's read decides it."""
    app = couple_app(database)
    client = app.test_client()
    pair = create_pair(client)
    for role in ("a", "b"):
        response = client.post("/v1/couples/answers", json=baseline, headers=bearer(pair["codes"][role]))
        assert response.status_code == 200
    report = client.get(f"/v1/couples/{pair['id']}/report", headers=bearer(pair["token"])).get_json()
    assert report["status"] == "complete" and report["joint"]["level"] == "rebuild_together"
    assert client.get(f"/v1/couples/{pair['id']}/report/a", headers=bearer(pair["token"])).get_json()[
        "recommendation"
    ]
