"""The closeness command in process (click's CliRunner): each documented misuse is a line and a code."""

import json

import pytest
from click.testing import CliRunner

from service.cli import cli

MISUSES = [
    (["evaluate"], 2, "Missing argument 'PATH'"),
    (["evaluate", "/nonexistent/answers.jsonl"], 2, "No such file or directory"),
    (["evaluate", "-", "--jobs", "0"], 2, "Invalid value for '--jobs'"),
    (["rules", "check", "/nonexistent/rules"], 1, "rules directory not found"),
    (["rules", "report", "--format", "pdf"], 2, "Invalid value for '--format'"),
    (["rules", "diff", "only-one"], 2, "Missing argument 'NEW'"),
    (["log", "stats", "--since", "yesterday"], 2, "--since: expected a date"),
    (["log", "prune"], 2, "Missing option '--older-than'"),
    (["log", "prune", "--older-than", "soon"], 2, "--older-than: expected a span"),
    (["log", "erase", "42"], 2, "a decision id is 32 hex digits"),
    (["serve", "--workers", "0"], 2, "Invalid value for '--workers'"),
    (["frobnicate"], 2, "No such command 'frobnicate'"),
]


@pytest.mark.parametrize(("args", "code", "message"), MISUSES, ids=[" ".join(m[0]) for m in MISUSES])
def test_misuse_is_a_short_message_and_an_exit_code(tmp_path, monkeypatch, args, code, message):
    monkeypatch.setenv("CLOSENESS_DECISION_LOG_URL", f"sqlite:///{tmp_path / 'log.sqlite3'}")
    result = CliRunner().invoke(cli, args, input="")
    assert result.exit_code == code, result.output
    assert message in result.output
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    assert len(result.output.strip().splitlines()) <= 4


def test_help_names_every_command():
    text = CliRunner().invoke(cli, ["--help"]).output + CliRunner().invoke(cli, ["rules", "--help"]).output
    text += CliRunner().invoke(cli, ["log", "--help"]).output
    for command in (
        "evaluate",
        "serve",
        "check",
        "test",
        "report",
        "diff",
        "migrate",
        "stats",
        "prune",
        "erase",
        "export",
    ):
        assert command in text


def test_evaluate_in_process(baseline):
    result = CliRunner().invoke(cli, ["evaluate", "-"], input=json.dumps(baseline))
    assert result.exit_code == 0 and json.loads(result.output)["recommendation"] == "rebuild"
