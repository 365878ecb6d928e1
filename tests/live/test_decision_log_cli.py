"""`closeness log`: stats, export, prune and erase against a real SQLite log, never a traceback."""

import json
import os

import pytest

from tests.commands import closeness
from tests.live.logapps import KEY, log_app
from tests.servers import free_port


def test_log_stats_from_the_command_line(sqlite_url, baseline):
    client = log_app(sqlite_url).test_client()
    for change in ({}, {}, {"afraid_of_partner": True, "unsafe_now": False}):
        client.post("/v1/assessments", json={**baseline, **change})
    assert client.application.extensions["closeness"].decision_log.flush()  # out of the spool
    run = closeness("log", "stats", env={**os.environ, "CLOSENESS_DECISION_LOG_URL": sqlite_url})
    assert run.returncode == 0, run.stderr
    assert "decisions from" in run.stdout and ": 3" in run.stdout
    assert "2  rebuild" in run.stdout and "1  professional_help (urgent)" in run.stdout
    assert "1  concern-partner-safety" in run.stdout


def test_log_export_prune_and_erase_from_the_command_line(sqlite_url, baseline):
    client = log_app(sqlite_url, DECISION_LOG_ANSWERS=True).test_client()
    ids = [client.post("/v1/assessments", json=baseline).get_json()["decision_id"] for _ in range(3)]
    assert client.application.extensions["closeness"].decision_log.flush()  # out of the spool
    env = {**os.environ, "CLOSENESS_DECISION_LOG_URL": sqlite_url}
    exported = closeness("log", "export", "--since", "1d", env=env)
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [r["id"] for r in records] == ids and records[0]["answers"]["ready_to_share"] == 4
    erased = closeness("log", "erase", ids[0], env=env)
    assert erased.returncode == 0 and client.get(f"/v1/decisions/{ids[0]}", headers=KEY).status_code == 404
    assert closeness("log", "erase", ids[0], env=env).returncode == 1  # nothing left to erase
    kept = closeness("log", "prune", "--older-than", "1d", env=env)
    assert kept.returncode == 0 and "removed 0 decisions" in kept.stdout
    gone = closeness("log", "prune", "--older-than", "0m", env=env)
    assert "removed 2 decisions" in gone.stdout
    assert closeness("log", "export", env=env).stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["log", "stats", "--since", "yesterday"], "--since: expected a date"),
        (["log", "prune", "--older-than", "ninety days"], "--older-than: expected a span"),
        (["log", "erase", "not-an-id"], "a decision id is 32 hex digits"),
    ],
    ids=["stats_since", "prune_span", "erase_id"],
)
def test_log_command_misuse_is_one_line_without_a_traceback(sqlite_url, args, message):
    run = closeness(*args, env={**os.environ, "CLOSENESS_DECISION_LOG_URL": sqlite_url})
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_an_unreachable_database_is_named_without_a_traceback():
    url = f"postgresql+psycopg://someone:secret@127.0.0.1:{free_port()}/none"
    run = closeness("log", "stats", env={**os.environ, "CLOSENESS_DECISION_LOG_URL": url})
    assert run.returncode == 2 and "Traceback" not in run.stderr and "secret" not in run.stderr
    assert "postgresql at 127.0.0.1" in run.stderr
