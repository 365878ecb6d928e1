"""The decision log on SQLite and on a real PostgreSQL started by the test run."""

import json
import logging
import os
import re
import time
from datetime import UTC, datetime

import pytest

from service import create_app
from service.audit.decision_log import DecisionLog
from tests.commands import closeness
from tests.live.logapps import KEY, log_app
from tests.servers import free_port


def test_decision_round_trip(sqlite_url, baseline):
    client = log_app(sqlite_url).test_client()
    response = client.post(
        "/v1/assessments",
        json={**baseline, "self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True},
        headers={"X-Request-ID": "intake-17"},
    )
    body = response.get_json()
    decision_id = body["decision_id"]
    assert response.headers["X-Decision-ID"] == decision_id
    record = client.get(f"/v1/decisions/{decision_id}", headers=KEY).get_json()
    assert record["recommendation"] == "consider_walking_away" and record["urgent"] is False
    assert record["fired_rules"] == [reason["rule"] for reason in body["reasons"]]
    assert record["ruleset"] == body["ruleset"] and record["request_id"] == "intake-17"
    assert record["safety"] == body["safety"] and record["questionnaire"] == "closeness-v2"
    assert record["reasons"] == [{"rule": r["rule"], "basis": r["basis"]} for r in body["reasons"]]
    assert "answers" not in record  # not stored unless allowed


def test_answers_are_stored_only_when_allowed(sqlite_url, baseline):
    client = log_app(sqlite_url, DECISION_LOG_ANSWERS=True).test_client()
    decision_id = client.post("/v1/assessments", json=baseline).get_json()["decision_id"]
    record = client.get(f"/v1/decisions/{decision_id}", headers=KEY).get_json()
    assert record["answers"]["ready_to_share"] == baseline["ready_to_share"]


def test_listing_since_a_moment(sqlite_url, baseline):
    client = log_app(sqlite_url).test_client()
    ids = [client.post("/v1/assessments", json=baseline).get_json()["decision_id"] for _ in range(3)]
    listed = client.get("/v1/decisions?since=2000-01-01T00:00:00Z", headers=KEY).get_json()["decisions"]
    assert [d["id"] for d in listed][-3:] == ids
    assert client.get("/v1/decisions?since=2999-01-01T00:00:00Z", headers=KEY).get_json() == {
        "decisions": [],
        "next_cursor": None,
    }
    assert client.get("/v1/decisions?since=yesterday", headers=KEY).status_code == 400
    # A span back from now, as the CLI takes it (--since 7d).
    assert client.get("/v1/decisions?since=1h", headers=KEY).get_json()["decisions"] == listed
    assert client.get("/v1/decisions?since=999999d", headers=KEY).status_code == 400
    assert (
        len(
            client.get("/v1/decisions?since=2000-01-01T00:00:00Z&limit=2", headers=KEY).get_json()[
                "decisions"
            ]
        )
        == 2
    )


@pytest.mark.parametrize("limit", ["0", "1001", "two", "-1", "2.5", "²", "", "%C2%B2"])
def test_a_bad_limit_is_a_400(sqlite_url, limit):
    response = log_app(sqlite_url).test_client().get(f"/v1/decisions?limit={limit}", headers=KEY)
    assert response.status_code == 400 and "'limit' is a whole number" in response.get_json()["message"]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Send an API key"),
        ({"X-API-Key": "wrong"}, "not valid"),
        ({"Authorization": "Bearer wrong"}, "not valid"),
        ({"Authorization": "test-key-4711"}, "Send an API key"),  # without "Bearer": no key was sent
        ({"Authorization": "Basic test-key-4711"}, "Send an API key"),
    ],
    ids=["none", "wrong", "wrong_bearer", "no_scheme", "basic"],
)
def test_decisions_need_the_api_key(sqlite_url, headers, message):
    response = log_app(sqlite_url).test_client().get("/v1/decisions", headers=headers)
    body = response.get_json()
    assert response.status_code == 401 and body["code"] == "unauthorized" and message in body["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    assert "test-key" not in json.dumps(body)


def test_several_keys_allow_rotation(sqlite_url):
    client = log_app(sqlite_url, API_KEY="old-key-1, new-key-2").test_client()
    for key in ("old-key-1", "new-key-2"):
        assert client.get("/v1/decisions", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/v1/decisions", headers={"X-API-Key": "old-key-1, new-key-2"}).status_code == 401


def test_pages_follow_the_cursor_to_the_end(sqlite_url, baseline):
    client = log_app(sqlite_url).test_client()
    ids = [client.post("/v1/assessments", json=baseline).get_json()["decision_id"] for _ in range(7)]
    seen, cursor = [], None
    while True:
        url = "/v1/decisions?since=2000-01-01T00:00:00Z&limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=KEY).get_json()
        seen += [d["id"] for d in page["decisions"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    for bad in ("nonsense", "W10", "WyJ4IiwgInkiXQ"):  # not base64 JSON; []; ["x", "y"]
        response = client.get(f"/v1/decisions?cursor={bad}", headers=KEY)
        assert response.status_code == 400 and "cursor" in response.get_json()["message"]


@pytest.mark.parametrize("decision_id", ["%00", "x" * 32, "..%2F..", "0" * 33, "ZZ"])
def test_malformed_decision_ids_are_404_never_500(sqlite_url, decision_id):
    client = log_app(sqlite_url).test_client()
    for method in ("GET", "DELETE"):
        response = client.open(f"/v1/decisions/{decision_id}", method=method, headers=KEY)
        assert response.status_code == 404, (method, decision_id)


def test_one_decision_can_be_erased(sqlite_url, baseline):
    client = log_app(sqlite_url).test_client()
    kept, erased = (client.post("/v1/assessments", json=baseline).get_json()["decision_id"] for _ in range(2))
    assert client.delete(f"/v1/decisions/{erased}").status_code == 401
    assert client.delete(f"/v1/decisions/{erased}", headers=KEY).status_code == 204
    assert client.get(f"/v1/decisions/{erased}", headers=KEY).status_code == 404
    assert client.delete(f"/v1/decisions/{erased}", headers=KEY).status_code == 404
    assert client.get(f"/v1/decisions/{kept}", headers=KEY).status_code == 200


def test_cds_hooks_decisions_are_logged_with_their_channel(sqlite_url, baseline):
    from tests.http.test_cds_hooks import SERVICE, _request

    client = log_app(sqlite_url).test_client()
    response = client.post(SERVICE, json=_request(client, {**baseline, "self_harm": True}))
    decision_id = response.headers["X-Decision-ID"]
    record = client.get(f"/v1/decisions/{decision_id}", headers=KEY).get_json()
    assert record["channel"] == "cds-hooks" and record["safety"]["noted"] == ["self_harm"]
    json_id = client.post("/v1/assessments", json=baseline).get_json()["decision_id"]
    assert client.get(f"/v1/decisions/{json_id}", headers=KEY).get_json()["channel"] == "json"


def test_retention_removes_old_decisions_at_start(sqlite_url, baseline):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from service.audit.decision_log import decisions

    client = log_app(sqlite_url).test_client()
    old, new = (client.post("/v1/assessments", json=baseline).get_json()["decision_id"] for _ in range(2))
    assert client.application.extensions["closeness"].decision_log.flush()  # in the database now
    log = DecisionLog(sqlite_url)
    with log.engine.begin() as connection:
        ago = datetime.now(UTC) - timedelta(days=100)
        connection.execute(update(decisions).where(decisions.c.id == old).values(created_at=ago))
    log.engine.dispose()  # its pooled SQLite connection closed now (Python 3.13 warns of one left open)
    kept = log_app(sqlite_url, DECISION_LOG_RETENTION_DAYS=90).test_client()  # the service applies it
    deadline = time.monotonic() + 10  # at its first contact with the database, off the request path
    while kept.get(f"/v1/decisions/{old}", headers=KEY).status_code != 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kept.get(f"/v1/decisions/{old}", headers=KEY).status_code == 404
    assert kept.get(f"/v1/decisions/{new}", headers=KEY).status_code == 200


def test_bearer_key_works_and_no_configured_key_lets_nobody_in(sqlite_url):
    assert (
        log_app(sqlite_url)
        .test_client()
        .get("/v1/decisions", headers={"Authorization": "Bearer test-key-4711"})
        .status_code
        == 200
    )
    assert (
        log_app(sqlite_url, API_KEY=None).test_client().get("/v1/decisions", headers=KEY).status_code == 401
    )


def test_log_is_off_by_default(client, baseline):
    assert "decision_id" not in client.post("/v1/assessments", json=baseline).get_json()
    keyed = create_app({"TESTING": True, "API_KEY": KEY["X-API-Key"]}).test_client()
    assert keyed.get("/v1/decisions", headers=KEY).status_code == 404


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.text = ""

    def emit(self, record):
        self.text += self.format(record) + "\n"


def test_an_outage_never_costs_the_client_its_answer_nor_its_record(baseline, tmp_path):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"  # nothing listens there
    client = log_app(url, DECISION_SPOOL_DIR=str(tmp_path)).test_client()
    before = _failures(client)
    lines = _Lines()
    logging.getLogger("closeness.decision_log").addHandler(lines)
    try:
        response = client.post("/v1/assessments", json={**baseline, "partner_willing": "not_discussed"})
        deadline = time.monotonic() + 10
        while _failures(client) == before and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        logging.getLogger("closeness.decision_log").removeHandler(lines)
    assert response.status_code == 200 and response.get_json()["recommendation"] == "rebuild"
    # The decision has its id: it waits in the spool until the database answers.
    assert response.get_json()["decision_id"] == response.headers["X-Decision-ID"]
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "degraded"
    state = ready.get_json()["decision_log"]
    assert state["database"] == "unreachable" and state["spool"] == "ok" and "backlog_bytes" not in state
    assert client.application.extensions["closeness"].decision_log.spool.state()["backlog_bytes"] > 0
    assert _failures(client) > before
    assert "database call failed: OperationalError" in lines.text and "not_discussed" not in lines.text
    spooled = b"".join(p.read_bytes() for p in tmp_path.rglob("*.spool"))
    assert response.get_json()["decision_id"].encode() in spooled  # on disk, in this process's segment
    strict = log_app(url, DECISION_SPOOL_DIR=str(tmp_path), READY_REQUIRES_DATABASE=True).test_client()
    deadline = time.monotonic() + 10
    while strict.get("/readyz").status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert strict.get("/readyz").status_code == 503


def _failures(client) -> float:
    for line in client.get("/metrics").get_data(as_text=True).splitlines():
        if line.startswith("closeness_decision_log_failures_total "):
            return float(line.split()[1])
    return 0.0


def test_the_default_log_is_one_absolute_place_whatever_the_folder(tmp_path):
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("CLOSENESS_DECISION_LOG_URL", None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = closeness("log", "stats", env=env, cwd=elsewhere)
    assert run.returncode == 2 and "closeness log migrate" in run.stderr and "Traceback" not in run.stderr
    assert list(elsewhere.iterdir()) == []  # nothing left in the folder it ran from
    assert closeness("log", "migrate", env=env, cwd=elsewhere).returncode == 0
    assert (tmp_path / "data" / "closeness" / "decisions.sqlite3").exists()
    assert closeness("log", "stats", env=env, cwd=elsewhere).returncode == 0


def test_a_full_spool_drops_counts_and_makes_readyz_503(baseline, tmp_path):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"  # never answers: nothing ships
    client = log_app(url, DECISION_SPOOL_DIR=str(tmp_path), DECISION_SPOOL_MAX_MB=1).test_client()
    ids = []
    for _ in range(3000):
        body = client.post("/v1/assessments", json=baseline).get_json()
        assert body["recommendation"] == "rebuild"  # the answer never depends on the log
        ids.append(body.get("decision_id"))
        if ids[-1] is None:
            break
    assert ids[0] and ids[-1] is None  # recorded until the spool was full, then answered without an id
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "spool is full" in ready.get_json()["message"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert re.search(r"^closeness_decision_log_dropped_total [1-9]", metrics, re.M)


def test_prune_goes_in_batches_until_nothing_old_is_left(sqlite_url):
    import orjson

    log = DecisionLog(sqlite_url)
    old = datetime(2020, 1, 1, tzinfo=UTC).isoformat()
    record = {
        "ruleset_version": "2.0.0",
        "ruleset_digest": "sha256:x",
        "recommendation": "rebuild",
        "urgent": False,
        "fired_rules": [],
        "questionnaire": "closeness-v2",
        "safety": None,
        "reasons": None,
        "channel": "json",
        "request_id": "r",
        "answers": None,
    }
    rows = [{**record, "id": f"{n:032x}", "created_at": old} for n in range(7)]
    rows.append({**record, "id": "f" * 32, "created_at": datetime.now(UTC).isoformat()})
    log.insert([orjson.dumps(row) for row in rows])
    assert log.prune(datetime(2021, 1, 1, tzinfo=UTC), batch=2) == 7
    assert log.get("f" * 32) is not None and log.get(f"{0:032x}") is None
    log.engine.dispose()


def test_the_sqlite_log_and_its_journal_are_private(tmp_path, baseline):
    import stat

    url = f"sqlite:///{tmp_path / 'private' / 'decisions.sqlite3'}"
    client = log_app(url).test_client()
    assert client.post("/v1/assessments", json=baseline).status_code == 200
    files = list((tmp_path / "private").iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files), files
    assert stat.S_IMODE((tmp_path / "private").stat().st_mode) == 0o700
