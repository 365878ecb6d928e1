"""Couple mode's storage and its edges on real SQLite and PostgreSQL: sealed decision records and
their erasure, expiry and retention, key rotation, sealed values bound to their place, the alerts."""

import base64
import json

import pytest
from sqlalchemy import create_engine, select, text, update

from service import create_app
from service.audit.couples_store import couple_codes, couples
from service.audit.decision_log import decisions
from service.core.sealing import KeyRing, Unsealable, new_key
from service.ops.settings import ConfigError
from tests.http.test_alerts import SECRET, _Receiver, _verified, _wait
from tests.live.couples import PRACTICE, answer, bearer, couple_app, create_pair, settle
from tests.servers import free_port


def _rows(url, query):
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(query))
    finally:
        engine.dispose()


def _execute(url, statement):
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(statement)
    finally:
        engine.dispose()


def test_couple_decision_records_are_sealed_and_erased_with_the_answers(database, baseline):
    key = new_key()
    app = couple_app(database, key, DECISION_LOG=True, DECISION_LOG_ANSWERS=True)
    client = app.test_client()
    pair = create_pair(client)
    response = answer(client, pair["codes"]["a"], {**baseline, "self_harm": True})
    decision_id = response.headers["X-Decision-ID"]
    assert response.get_json()["decision_id"] == decision_id
    assert app.extensions["closeness"].decision_log.flush(10)
    (row,) = _rows(database, select(decisions).where(decisions.c.id == decision_id))
    assert (row.channel, row.recommendation, row.urgent, row.fired_rules, row.request_id) == (
        "couple",
        "",
        False,
        [],
        "",
    )
    assert row.safety is None and row.answers is None and row.reasons is None and row.questionnaire is None
    store = app.extensions["closeness"].couples.store
    key = store.read(pair["id"], ()).meta["partners"]["a"]["decisions"][decision_id]  # kept only there
    opened = store.open_decision(
        decision_id, base64.urlsafe_b64decode(row.sealed), base64.urlsafe_b64decode(key)
    )
    assert (
        opened["pair"] == pair["id"] and opened["role"] == "a" and opened["safety"]["noted"] == ["self_harm"]
    )
    assert opened["answers"]["self_harm"] is True
    shown = client.get(f"/v1/decisions/{decision_id}", headers=PRACTICE).get_json()
    assert shown["sealed"] is True and "recommendation" not in shown and "answers" not in shown
    # withdrawing erases the record too; and its key with the answers, so every other copy of it (a
    # spool segment, a backup) can no longer be opened, even with the key ring
    client.delete("/v1/couples/answers", headers=bearer(response.get_json()["withdraw_token"]))
    assert _rows(database, select(decisions).where(decisions.c.id == decision_id)) == []
    assert decision_id not in str(store.read(pair["id"], ()).meta)
    with pytest.raises(Unsealable):
        store.open_decision(decision_id, base64.urlsafe_b64decode(row.sealed), new_key().encode()[:32])
    # and so does erasing the pair, for every record of it
    other = answer(client, pair["codes"]["b"], baseline).headers["X-Decision-ID"]
    assert app.extensions["closeness"].decision_log.flush(10)
    assert len(_rows(database, select(decisions).where(decisions.c.id == other))) == 1
    assert client.delete(f"/v1/couples/{pair['id']}", headers=PRACTICE).status_code == 204
    assert _rows(database, select(decisions).where(decisions.c.id == other)) == []


def test_expired_invites_and_pairs_past_retention_are_gone(database, baseline):
    from datetime import UTC, datetime, timedelta

    app = couple_app(database)
    client = app.test_client()
    expiring, retired = create_pair(client), create_pair(client)
    past = datetime.now(UTC) - timedelta(seconds=1)
    store = app.extensions["closeness"].couples.store

    def expire_a(pair):  # an invite's expiry is kept sealed; its row lives as long as the pair
        pair.meta["partners"]["a"]["invite_expires_at"] = past.isoformat(timespec="seconds")

    store.change(expiring["id"], expire_a)
    assert answer(client, expiring["codes"]["a"], baseline).status_code == 404
    assert answer(client, expiring["codes"]["b"], baseline).status_code == 200
    assert (
        client.get(f"/v1/couples/{expiring['id']}", headers=PRACTICE).status_code == 200
    )  # the pair lives on
    _execute(database, update(couples).where(couples.c.id == retired["id"]).values(retain_until=past))
    assert client.get(f"/v1/couples/{retired['id']}", headers=PRACTICE).status_code == 404
    assert (
        client.get(f"/v1/couples/{retired['id']}/report", headers=bearer(retired["token"])).status_code == 404
    )
    assert answer(client, retired["codes"]["a"], baseline).status_code == 404
    assert app.extensions["closeness"].couples.purge_expired() == 1
    assert _rows(database, select(couples.c.id).where(couples.c.id == retired["id"])) == []
    assert _rows(database, select(couple_codes).where(couple_codes.c.couple_id == retired["id"])) == []


def test_a_rotated_key_ring_still_opens_old_pairs_and_a_lost_key_erases(database, baseline):
    old, new = new_key(), new_key()
    old_app = couple_app(database, old)
    client = old_app.test_client()
    pair, untouched = create_pair(client), create_pair(client)
    answer(client, pair["codes"]["a"], baseline)
    settle(old_app)
    rotated_app = couple_app(database, f"{new},{old}")
    rotated = rotated_app.test_client()
    assert rotated.get(f"/v1/couples/{pair['id']}", headers=PRACTICE).get_json()["partners"]["a"]["answered"]
    answer(rotated, pair["codes"]["b"], baseline)  # sealed under the new key from now on
    settle(rotated_app)
    new_only = couple_app(database, new).test_client()
    assert (
        new_only.get(f"/v1/couples/{untouched['id']}", headers=PRACTICE).status_code == 404
    )  # still the old key's
    # `closeness couples reseal` seals what is left under the new key; then the old key can go
    assert rotated_app.extensions["closeness"].couples.store.reseal() == 2
    for each in (pair, untouched):
        assert new_only.get(f"/v1/couples/{each['id']}", headers=PRACTICE).status_code == 200
    assert (
        couple_app(database, old).test_client().get(f"/v1/couples/{pair['id']}", headers=PRACTICE).status_code
        == 404
    )


def test_one_partners_sealed_answers_cannot_be_swapped_for_the_others(database, baseline):
    key = new_key()
    app = couple_app(database, key)
    client = app.test_client()
    pair = create_pair(client)
    answer(client, pair["codes"]["a"], {**baseline, "self_willing": "no"})
    settle(app)  # the queued joint decision writes the pair back too: read it once that is done
    (row,) = _rows(database, select(couples.c.part_a, couples.c.part_b).where(couples.c.id == pair["id"]))
    ring = KeyRing.from_setting(key)
    assert (
        json.loads(ring.open(row.part_a, f"closeness:pair:{pair['id']}:a"))["answers"]["self_willing"] == "no"
    )
    with pytest.raises(Unsealable):
        ring.open(row.part_a, f"closeness:pair:{pair['id']}:b")
    assert len(row.part_a) == len(row.part_b)  # an answered part looks like an empty one
    _execute(database, update(couples).where(couples.c.id == pair["id"]).values(part_b=row.part_a))
    assert client.get(f"/v1/couples/{pair['id']}", headers=PRACTICE).status_code == 404


def test_without_a_key_every_couple_route_says_how_to_make_one(tmp_path):
    client = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    ).test_client()
    for method, url in (
        ("post", "/v1/couples"),
        ("post", "/v1/couples/answers"),
        ("get", "/v1/couples/" + "a" * 32),
    ):
        response = getattr(client, method)(url, json={})
        body = response.get_json()
        assert response.status_code == 503 and body["code"] == "couples_off"
        assert "CLOSENESS_DATA_KEY" in body["message"] and "\n" not in body["message"]
    assert not (tmp_path / "x.sqlite3").exists()  # nothing was made
    with pytest.raises(ConfigError, match="CLOSENESS_DATA_KEY"):
        from service.ops.settings import settings

        settings({"CLOSENESS_DATA_KEY": "too-short"})


def test_the_practice_is_alerted_with_the_pair_and_told_when_the_joint_view_is_ready(database, baseline):
    port = free_port()
    receiver = _Receiver(port)
    try:
        app = couple_app(
            database,
            ALERT_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
            ALERT_SECRET=SECRET,
            ALERT_RETRY_BASE=0.2,
        )
        client = app.test_client()
        pair = create_pair(client)
        answer(client, pair["codes"]["b"], {**baseline, "afraid_of_partner": True, "unsafe_now": True})
        answer(client, pair["codes"]["a"], baseline)
        settle(app)
        _wait(lambda: len(receiver.received) >= 3)  # the urgent alert, and one update per answer
        bodies = [_verified(headers, body) for headers, body in receiver.received]
        assert sorted(b["type"] for b in bodies) == ["closeness.couple_updated"] * 2 + ["closeness.urgent"]
        urgent = next(b for b in bodies if b["type"] == "closeness.urgent")
        assert urgent["pair"] == pair["id"] and urgent["partner"] == "b"
        assert urgent["concerns"]["urgent"] == ["partner_safety_now"]
        ready = next(b for b in bodies if b["type"] == "closeness.couple_updated")
        assert set(ready) == {"type", "alert_id", "pair", "time"} and ready["pair"] == pair["id"]
        for _, body in receiver.received:
            assert b"afraid" not in body and pair["codes"]["a"].encode() not in body
    finally:
        receiver.stop()


def test_under_gunicorn_the_joint_view_is_decided_after_the_response_with_no_read(tmp_path, baseline):
    """Real workers: both partners answer over HTTP; once the webhook has heard of both answers, the
    joint view is stored, though nobody read the pair: it was decided after the response went out."""
    from tests.servers import LiveServer

    port = free_port()
    receiver = _Receiver(port)
    env = {
        "CLOSENESS_DATA_KEY": (key := new_key()),
        "CLOSENESS_DATABASE_URL": f"sqlite:///{tmp_path / 'couples.sqlite3'}",
        "CLOSENESS_API_KEY": PRACTICE["X-API-Key"],
        "CLOSENESS_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "CLOSENESS_ALERT_SECRET": SECRET,
    }
    server = LiveServer(tmp_path / "server.log", env=env, workers=2)
    try:
        status, _, body = server.request(
            "POST", "/v1/couples", "{}", {**PRACTICE, "Content-Type": "application/json"}
        )
        created = json.loads(body)
        assert status == 201
        for role in ("a", "b"):
            status, headers, _ = server.request(
                "POST",
                "/v1/couples/answers",
                json.dumps(baseline),
                {"Content-Type": "application/json", **bearer(created["invites"][role]["code"])},
            )
            assert status == 200
        _wait(lambda: len(receiver.received) == 2, 20)
        assert {_verified(h, b)["pair"] for h, b in receiver.received} == {created["id"]}
        from service.audit.couples_store import CouplesStore

        store = CouplesStore(f"sqlite:///{tmp_path / 'couples.sqlite3'}", KeyRing.from_setting(key))
        assert store.read(created["id"], ()).meta["joint"]["level"] == "rebuild_together"
        store.engine.dispose()
    finally:
        server.stop()
        receiver.stop()
    log = (tmp_path / "server.log").read_text()
    for secret in [
        created["invites"]["a"]["code"],
        created["invites"]["b"]["code"],
        created["report_url"].split("=")[-1],
    ]:
        assert secret not in log
    assert os_mode(tmp_path / "couples.sqlite3") == 0o600


def os_mode(path) -> int:
    import os

    return os.stat(path).st_mode & 0o777


def test_the_code_rows_say_nothing_of_what_either_partner_did(database, baseline):
    """Five rows per pair, all living until retention, whatever the partners did."""
    client = couple_app(database).test_client()
    quiet, busy = create_pair(client), create_pair(client)
    token = answer(client, busy["codes"]["a"], {**baseline, "wished_dead": "declined"}).get_json()[
        "withdraw_token"
    ]
    answer(client, busy["codes"]["b"], baseline)
    client.delete("/v1/couples/answers", headers=bearer(token))
    client.post(f"/v1/couples/{busy['id']}/invites/a", headers=PRACTICE)
    client.post(f"/v1/couples/{busy['id']}/report-link", headers=PRACTICE)

    def rows(pair):
        found = _rows(
            database, select(couple_codes.c.expires_at).where(couple_codes.c.couple_id == pair["id"])
        )
        return len(found), {row.expires_at for row in found}

    (count, expiries), (busy_count, busy_expiries) = rows(quiet), rows(busy)
    assert count == busy_count == 5 and len(expiries) == len(busy_expiries) == 1


def test_opening_an_invite_makes_its_link_work_once(database, baseline):
    client = couple_app(database).test_client()
    pair = create_pair(client)
    link = pair["codes"]["a"]
    opened = client.post("/v1/couples/invites/open", headers=bearer(link))
    assert opened.status_code == 200
    fresh = opened.get_json()["code"]
    assert fresh != link and len(fresh) >= 43
    assert client.post("/v1/couples/invites/open", headers=bearer(link)).status_code == 404
    assert answer(client, link, baseline).status_code == 404  # the link (kept in browser history) is dead
    assert answer(client, fresh, baseline).status_code == 200
    assert client.post("/v1/couples/invites/open", headers=bearer(fresh)).status_code == 404  # spent
    assert client.post("/v1/couples/invites/open", headers=bearer(pair["token"])).status_code == 404


def test_every_change_writes_a_pair_s_code_rows_anew(database, baseline):
    """Whichever partner acted, the pair's rows are replaced together: where they sit says nothing."""
    client = couple_app(database).test_client()
    a_answers, b_answers = create_pair(client), create_pair(client)
    before = {p["id"]: _code_hashes(database, p["id"]) for p in (a_answers, b_answers)}
    answer(client, a_answers["codes"]["a"], baseline)
    answer(client, b_answers["codes"]["b"], baseline)
    for pair in (a_answers, b_answers):
        after = _code_hashes(database, pair["id"])
        assert len(after) == 5 and len(after & before[pair["id"]]) == 3  # two slots moved, in both
    if database.startswith("sqlite"):
        for pair in (a_answers, b_answers):
            rowids = sorted(
                r.rowid
                for r in _rows(
                    database, text(f"SELECT rowid FROM couple_codes WHERE couple_id = '{pair['id']}'")
                )
            )
            assert rowids == list(range(rowids[0], rowids[0] + 5))  # one block, written together


def _code_hashes(url, pair_id) -> set:
    return {
        row.hash for row in _rows(url, select(couple_codes.c.hash).where(couple_codes.c.couple_id == pair_id))
    }


def test_kept_answers_the_rules_no_longer_take_see_the_pair_alone(database, baseline):
    """Answers kept under an older rulebook that the current one refuses: no error, the gate."""
    app = couple_app(database)
    client = app.test_client()
    pair = create_pair(client)
    answer(client, pair["codes"]["a"], baseline)
    answer(client, pair["codes"]["b"], baseline)
    settle(app)

    def as_if_older(pair_):  # B's kept answers, as an older rulebook might have taken them
        pair_.parts["b"]["answers"] = {**pair_.parts["b"]["answers"], "self_willing": "perhaps"}
        pair_.meta["joint"] = None

    app.extensions["closeness"].couples.store.change(pair["id"], as_if_older, ("b",))
    view = client.get(f"/v1/couples/{pair['id']}", headers=PRACTICE)
    assert view.status_code == 200 and view.get_json()["joint"]["level"] == "see_each_alone"
