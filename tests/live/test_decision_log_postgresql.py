"""The decision log on a real PostgreSQL: one instance, two sharing it, and gunicorn migrating first."""

import threading
from datetime import UTC, datetime

import pytest

from service.audit.decision_log import DecisionLog
from tests.live.logapps import KEY, log_app
from tests.servers import LiveServer


def test_round_trip_on_postgresql(postgres, baseline):
    app = log_app(postgres, DECISION_LOG_ANSWERS=True)
    client = app.test_client()
    decision_id = client.post("/v1/assessments", json={**baseline, "self_harm": True}).get_json()[
        "decision_id"
    ]
    record = client.get(f"/v1/decisions/{decision_id}", headers=KEY).get_json()
    assert record["urgent"] is False and record["answers"]["self_harm"] is True
    assert record["safety"]["noted"] == ["self_harm"]
    assert client.get("/readyz").get_json()["decision_log"]["database"] == "ok"
    ids = [client.post("/v1/assessments", json=baseline).get_json()["decision_id"] for _ in range(5)]
    first = client.get("/v1/decisions?since=2000-01-01T00:00:00Z&limit=2", headers=KEY).get_json()
    second = client.get(
        f"/v1/decisions?limit=2&since=2000-01-01T00:00:00Z&cursor={first['next_cursor']}", headers=KEY
    )
    paged = [d["id"] for d in first["decisions"] + second.get_json()["decisions"]]
    assert paged == [decision_id, *ids][:4]
    assert client.delete(f"/v1/decisions/{ids[0]}", headers=KEY).status_code == 204
    assert client.get(f"/v1/decisions/{ids[0]}", headers=KEY).status_code == 404
    app.extensions["closeness"].decision_log.engine.dispose()


@pytest.mark.slow
def test_two_instances_share_one_postgresql_log(postgres, baseline, tmp_path):
    env = {
        "CLOSENESS_DECISION_LOG": "true",
        "CLOSENESS_DECISION_LOG_URL": postgres,
        "CLOSENESS_API_KEY": "k-2",
    }
    servers = [LiveServer(tmp_path / f"instance-{n}.log", env=env) for n in (1, 2)]
    ids, failures = [], []

    def post_many(server):
        for _ in range(60):
            status, body = server.post_json(baseline)
            (ids if status == 200 and "decision_id" in body else failures).append(body.get("decision_id"))

    try:
        threads = [threading.Thread(target=post_many, args=(s,)) for s in servers for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for server in servers:
            server.stop()
    assert failures == [] and len(ids) == 360 and len(set(ids)) == 360
    decision_log = DecisionLog(postgres)
    stored = decision_log.since(datetime(2000, 1, 1, tzinfo=UTC), limit=100_000)
    decision_log.engine.dispose()
    stored_ids = [record["id"] for record in stored]
    assert set(ids) <= set(stored_ids) and len(stored_ids) == len(
        set(stored_ids)
    )  # every id found, none twice
    ours = [record for record in stored if record["id"] in set(ids)]
    assert len(ours) == 360 and not any("answers" in record for record in ours)  # answers were not allowed


@pytest.mark.slow
def test_gunicorn_creates_the_tables_before_workers_write(tmp_path, baseline):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"  # never migrated
    server = LiveServer(
        tmp_path / "gunicorn.log", env={"CLOSENESS_DECISION_LOG": "true", "CLOSENESS_DECISION_LOG_URL": url}
    )
    try:
        status, body = server.post_json(baseline)
    finally:
        server.stop()
    assert status == 200 and len(body["decision_id"]) == 32
