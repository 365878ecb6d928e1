"""The closeness command in process (click's CliRunner): each documented misuse is a line and a code."""

import json

import pytest
from click.testing import CliRunner

from service.cli import cli

MISUSES = [
    (["evaluate"], 2, "Missing argument 'PATH'"),
    (["evaluate", "/nonexistent/answers.jsonl"], 2, "No such file or directory"),
    (["evaluate", "-", "--jobs", "0"], 2, "Invalid value for '--jobs'"),
    (["rules", "check", "/nonexistent/rules"], 2, "rules directory not found"),
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


def _bad_inputs(folder) -> dict:
    """Files a user may hand the CLI by mistake."""
    files = {
        "missing": folder / "absent.json",
        "folder": folder,
        "empty": folder / "empty.json",
        "binary": folder / "binary.json",
        "utf16": folder / "utf16.json",
        "not_json": folder / "words.json",
        "array": folder / "array.json",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)))
    files["utf16"].write_bytes('{"afraid_of_partner": false}'.encode("utf-16"))
    files["not_json"].write_text("these are not answers\\n")
    files["array"].write_text("[1, 2, 3]\\n")
    return files


def test_generated_misuse_is_always_a_short_message_and_a_documented_code(tmp_path, monkeypatch):
    """Commands, bad files, options before or after the command and bad settings, drawn at random
    (seeded): never a traceback, always a line or a few and the documented exit code."""
    import random

    from tests.unit.test_config import BAD_SETTINGS

    monkeypatch.setenv("CLOSENESS_DECISION_LOG_URL", f"sqlite:///{tmp_path / 'log.sqlite3'}")
    files = {name: str(path) for name, path in _bad_inputs(tmp_path).items()}
    rng = random.Random(21)
    shapes = [
        lambda f: ["evaluate", f],
        lambda f: ["evaluate", f, "--rules", f],
        lambda f: ["--rules", f, "evaluate", "-"],
        lambda f: ["rules", "check", f],
        lambda f: ["rules", "test", "--rules", f],
        lambda f: ["rules", "report", f],
        lambda f: ["rules", "diff", f, f],
        lambda f: ["rules", "diff", "rules", "rules", "--cases", f],
        lambda f: ["rules", "diff", "rules", "rules", "--replay", f],
        lambda f: ["log", "stats", "--since", rng.choice(["soon", "-1d", "99999999d", "2026-13-45"])],
        lambda f: ["log", "erase", rng.choice(["x" * 32, "", "0" * 31])],
    ]
    seen = set()
    for _ in range(120):
        name = rng.choice(sorted(files))
        args = rng.choice(shapes)(files[name])
        env = {}
        if rng.random() < 0.3:
            variable = rng.choice(sorted(BAD_SETTINGS))
            env[variable] = BAD_SETTINGS[variable][0]
        result = CliRunner().invoke(cli, args, input="", env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            env,
            result.output,
        )
        assert "Traceback" not in result.output, (args, env)
        assert result.exit_code in (1, 2), (args, env, result.output)
        assert 1 <= len(result.output.strip().splitlines()) <= 4 or args[:2] == ["rules", "diff"], (
            args,
            result.output,
        )
        seen.add(result.exit_code)
    assert seen == {1, 2}


@pytest.mark.parametrize("variable", ["CLOSENESS_LOG_LEVEL", "CLOSENESS_PORT", "CLOSENESS_DECISION_LOG_URL"])
def test_serve_with_a_bad_setting_says_which_and_starts_nothing(variable):
    from tests.unit.test_config import BAD_SETTINGS

    result = CliRunner().invoke(cli, ["serve"], env={variable: BAD_SETTINGS[variable][0]})
    assert result.exit_code == 2 and result.output.startswith(f"closeness: {variable} has an invalid value")
