"""Safe reloads: gunicorn HUP takes a changed rulebook, refuses a broken one and keeps serving the old."""

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from service.core.rulebook import default_rules_dir, load_rulebook
from tests.servers import LiveServer

pytestmark = pytest.mark.slow


def _digest(server) -> str:
    status, headers, body = server.request("GET", "/readyz")
    assert status == 200
    return json.loads(body)["ruleset"]["digest"]


def _wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def rules(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return copy


def test_hup_switches_to_a_good_rulebook_and_refuses_a_broken_one(rules, tmp_path, baseline):
    server = LiveServer(tmp_path / "gunicorn.log", env={"CLOSENESS_RULES_DIR": str(rules)})
    try:
        assert _digest(server) == load_rulebook(rules).digest
        three = {
            **baseline,
            "partner_refuses_to_talk": True,
            "partner_always_blames": True,
            "attempts_keep_failing": True,
            "partner_willing": "unsure",
        }
        rule = rules / "walk-away" / "walk-away-many-signs.yaml"
        original = rule.read_text()
        rule.write_text(original.replace("title: ", "title: Many signs - ", 1))  # a good change
        changed = load_rulebook(rules).digest
        os.kill(server.process.pid, signal.SIGHUP)
        _wait_for(lambda: _digest(server) == changed)
        titles = [r["title"] for r in server.post_json(three)[1]["reasons"]]
        assert any(title.startswith("Many signs - ") for title in titles)  # the new rulebook decides

        # A rulebook that loads, but whose own cases fail (the threshold changed, its cases not).
        rule.write_text(rule.read_text().replace("at_least: 3}", "at_least: 4}"))
        os.kill(server.process.pid, signal.SIGHUP)
        _wait_for(lambda: "its cases fail" in server.log.read_text())
        time.sleep(1.5)  # the new workers are up by now
        assert all(_digest(server) == changed for _ in range(6))
        assert server.post_json(three)[1]["recommendation"] == "consider_walking_away"
        rule.write_text(original.replace("title: ", "title: Many signs - ", 1))

        broken = rules / "help-for-you" / "help-past-hurt.yaml"
        broken.write_text(broken.read_text().replace("when: {answer", "when: [{answer"))
        os.kill(server.process.pid, signal.SIGHUP)
        _wait_for(lambda: "YAML syntax error" in server.log.read_text())
        time.sleep(1.5)
        assert all(_digest(server) == changed for _ in range(6))
        assert server.post_json(three)[1]["ruleset"]["digest"] == changed
        assert f"{broken}:10: YAML syntax error" in server.log.read_text()
    finally:
        server.stop()


def test_workers_boot_from_memory_and_nothing_is_left_in_the_temp_folder(rules, tmp_path, baseline):
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {"CLOSENESS_RULES_DIR": str(rules), "TMPDIR": str(temp)}
    server = LiveServer(tmp_path / "gunicorn.log", env=env, workers=2)
    try:
        digest = _digest(server)
        assert not list(temp.glob("closeness-rules-*"))  # no copy of the rulebook on disk
        shutil.rmtree(rules)  # a temp cleaner, or a careless deploy, takes the files away
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text()
        os.kill(int(children.split()[0]), signal.SIGKILL)  # and a worker dies
        time.sleep(2)
        assert server.process.poll() is None  # the master stays, and its new worker serves
        for _ in range(6):
            assert _digest(server) == digest
            assert server.post_json(baseline)[0] == 200
    finally:
        server.stop()
    assert not list(temp.iterdir())  # the metrics folder went with the master


def test_a_broken_rulebook_stops_the_start_with_file_and_line(rules, tmp_path):
    broken = rules / "steps" / "step-quality-time.yaml"
    broken.write_text(broken.read_text().replace("section: prioritize", "section: prioritise"))
    with pytest.raises(AssertionError):
        LiveServer(tmp_path / "gunicorn.log", env={"CLOSENESS_RULES_DIR": str(rules)})
    assert f"{broken}:" in (tmp_path / "gunicorn.log").read_text()
    assert "not a section id of the article" in (tmp_path / "gunicorn.log").read_text()
