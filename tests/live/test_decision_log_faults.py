"""Fault runs against `closeness serve` with the decision log on a real PostgreSQL: the database frozen,
stopped, and a worker killed while decisions are waiting. Nothing acknowledged may be lost, and no
request may wait on the database."""

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.live.conftest import in_database
from tests.servers import LiveServer

CLIENT_TIMEOUT = 5  # seconds: a request that waited on a frozen database would fail this


def _post_many(server, baseline, count, workers=4) -> list[str]:
    def one(_):
        status, body = server.post_json(baseline)
        assert status == 200, body
        return body["decision_id"]

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(one, range(count)))


@pytest.fixture
def server(pg, tmp_path):
    env = {
        "CLOSENESS_DECISION_LOG": "true",
        "CLOSENESS_DECISION_LOG_URL": pg.url,
        "CLOSENESS_DECISION_SPOOL_DIR": str(tmp_path / "spool"),
    }
    live = LiveServer(tmp_path / "server.log", env=env, workers=2)
    live.timeout = CLIENT_TIMEOUT
    try:
        yield live
    finally:
        live.stop()


def test_a_frozen_database_delays_nothing_and_loses_nothing(pg, server, baseline):
    before = _post_many(server, baseline, 20)
    pg.freeze()
    try:
        during = _post_many(server, baseline, 200)  # each within CLIENT_TIMEOUT, every one with an id
        time.sleep(6)  # past the point where a database call counts as not answering
        status, _, body = server.request("GET", "/readyz")
        assert status == 200 and b'"degraded"' in body and b'"unreachable"' in body
        assert server.request("GET", "/metrics")[0] == 200
    finally:
        pg.thaw()
    after = _post_many(server, baseline, 20)
    ids = before + during + after
    assert len(set(ids)) == len(ids) == 240
    assert in_database(pg.url, ids) == set(ids)


def test_a_stopped_database_loses_nothing_and_the_backlog_drains(pg, server, baseline):
    pg.stop()
    try:
        during = _post_many(server, baseline, 150)
    finally:
        pg.start()
    assert in_database(pg.url, during) == set(during)
    status, _, body = server.request("GET", "/readyz")
    assert status == 200 and b'"ready"' in body


def test_a_killed_worker_s_decisions_are_shipped_by_the_others(pg, server, baseline, tmp_path):
    pg.stop()
    try:
        during = _post_many(server, baseline, 100)
        found = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True)
        workers = [int(pid) for pid in found.stdout.split()]
        assert len(workers) == 2
        for pid in workers:
            os.kill(pid, signal.SIGKILL)  # both, with their decisions only in the spool
        time.sleep(1)
    finally:
        pg.start()
    assert in_database(pg.url, during) == set(during)


def test_erasing_a_decision_still_in_the_spool_keeps_it_erased(pg, tmp_path, baseline):
    env = {
        "CLOSENESS_DECISION_LOG": "true",
        "CLOSENESS_DECISION_LOG_URL": pg.url,
        "CLOSENESS_DECISION_SPOOL_DIR": str(tmp_path / "spool"),
        "CLOSENESS_API_KEY": "k-9",
    }
    server = LiveServer(tmp_path / "server.log", env=env, workers=1)
    try:
        pg.stop()
        try:
            decision_id = _post_many(server, baseline, 1, workers=1)[0]
        finally:
            pg.start()
        status, _, _ = server.request("DELETE", f"/v1/decisions/{decision_id}", headers={"X-API-Key": "k-9"})
        assert status in (204, 404)
        ids = _post_many(server, baseline, 3, workers=1)
        assert in_database(pg.url, ids) == set(ids)
        assert in_database(pg.url, [decision_id], seconds=1) == set()
    finally:
        server.stop()


def test_serve_starts_and_decides_while_the_database_is_frozen(pg, tmp_path, baseline):
    env = {
        "CLOSENESS_DECISION_LOG": "true",
        "CLOSENESS_DECISION_LOG_URL": pg.url,
        "CLOSENESS_DECISION_SPOOL_DIR": str(tmp_path / "spool"),
    }
    pg.freeze()
    try:
        server = LiveServer(tmp_path / "server.log", env=env, workers=1)  # ready within its 30 s
        server.timeout = CLIENT_TIMEOUT
        ids = _post_many(server, baseline, 10, workers=2)
    finally:
        pg.thaw()
    try:
        assert in_database(pg.url, ids) == set(ids)
        log = (tmp_path / "server.log").read_text()
        assert "did not answer at start" in log and "Traceback" not in log
    finally:
        server.stop()
