"""The closeness command, run as a real process."""

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from service.core.rulebook import default_rules_dir
from tests.answers import random_answers
from tests.commands import closeness
from tests.policy import decide

ROOT = Path(__file__).resolve().parents[2]


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "closeness"
    assert script.exists()
    run = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "evaluate" in run.stdout


def test_evaluate_one_object_from_a_file(tmp_path, baseline):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**baseline, "afraid_of_partner": True}, indent=2))
    run = closeness("evaluate", str(path))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert (result["recommendation"], result["urgent"]) == ("professional_help", True)


def test_evaluate_json_lines_keeps_order_and_reports_bad_lines(baseline):
    lines = [
        json.dumps(baseline),
        json.dumps({**baseline, "ready_to_share": "4"}),
        "{not json",
        "",
        json.dumps(
            {**baseline, "self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True}
        ),
    ]
    run = closeness("evaluate", "-", stdin="\n".join(lines) + "\n")
    assert run.returncode == 1
    out = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(out) == 5
    assert out[0]["recommendation"] == "rebuild"
    assert out[1] == {"errors": {"ready_to_share": ["Choose a whole number from 1 to 5."]}}
    assert "Not valid JSON" in out[2]["errors"]["_json"][0]
    assert "empty" in out[3]["errors"]["_line"][0]
    assert out[4]["recommendation"] == "consider_walking_away"


def test_invalid_single_object_exits_1_without_echoing_values(baseline):
    run = closeness("evaluate", "-", stdin=json.dumps({**baseline, "self_willing": "secret-value"}))
    assert run.returncode == 1
    assert "secret-value" not in run.stdout + run.stderr
    assert json.loads(run.stdout)["errors"]["self_willing"]


def test_ten_thousand_lines_in_one_process(evaluator):
    rng = random.Random(10_000)
    cases = [random_answers(rng, omit_optional=True) for _ in range(10_000)]
    run = closeness("evaluate", "-", stdin="".join(json.dumps(c) + "\n" for c in cases))
    assert run.returncode == 0, run.stderr[-2000:]
    results = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(results) == 10_000
    for answers, result in zip(cases, results, strict=True):
        assert result["recommendation"] == decide(answers)["recommendation"]


def test_rules_check_passes_on_the_real_rules():
    run = closeness("rules", "check")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok: ") and "sha256:" in run.stdout


def test_rules_check_refuses_a_broken_directory_with_file_and_line(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    rule = rules / "findings" / "finding-seeking-connection-elsewhere.yaml"
    rule.write_text(rule.read_text().replace("section: seeking-connection", "section: seeking-friends"))
    run = closeness("rules", "check", str(rules))
    assert run.returncode == 1
    expected = (
        "section: 'seeking-friends-outside-the-relationship' "
        "(did you mean 'seeking-connection-outside-the-relationship'?) is not a section id of the article"
    )
    assert f"{rule}:7: {expected}" in run.stderr


def test_rules_test_runs_every_case():
    run = closeness("rules", "test")
    assert run.returncode == 0, run.stdout
    assert run.stdout.strip().endswith(" passed, 0 failed")


def test_rules_directory_override_by_option_and_environment(tmp_path, baseline):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    rule = rules / "walk-away" / "walk-away-neither-willing.yaml"
    rule.write_text(rule.read_text().replace("outcome: consider-walking-away", "outcome: help-for-you"))
    answers = json.dumps(
        {**baseline, "self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True}
    )
    by_option = json.loads(closeness("--rules", str(rules), "evaluate", "-", stdin=answers).stdout)
    env = {"PATH": "/usr/bin:/bin", "CLOSENESS_RULES_DIR": str(rules)}
    by_env = json.loads(closeness("evaluate", "-", stdin=answers, env=env).stdout)
    default = json.loads(closeness("evaluate", "-", stdin=answers).stdout)
    assert by_option["recommendation"] == by_env["recommendation"] == "professional_help"
    assert default["recommendation"] == "consider_walking_away"


def test_missing_file_is_a_clear_error():
    run = closeness("evaluate", "/nonexistent/answers.json")
    assert run.returncode == 2 and "No such file" in run.stderr


@pytest.mark.slow
def test_rules_are_found_in_a_non_editable_install(tmp_path, baseline):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            *map(str, wheels.glob("closeness-*.whl")),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import rules, schemas; print(rules.__file__); print(schemas.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert where.stdout.count(str(target)) == 2, where.stdout + where.stderr
    run = closeness("evaluate", "-", stdin=json.dumps(baseline), env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["recommendation"] == "rebuild"
    assert closeness("rules", "check", env=env, cwd=tmp_path).returncode == 0


def test_rules_test_requires_coverage_and_names_what_is_missing(tmp_path):
    assert closeness("rules", "test", "--min", "100").returncode == 0
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    cases = rules / "walk-away" / "walk-away-neither-willing.cases.yaml"
    text = cases.read_text()
    cases.write_text(text[: text.index("- name: silent_when_the_partner_is_unsure")])
    run = closeness("rules", "test", str(rules), "--coverage", "--min", "100")
    assert run.returncode == 1
    assert "walk-away-neither-willing: 4/5 not covered: when.all.1" in run.stdout
    assert "is under the required 100%" in run.stdout
    assert closeness("rules", "test", str(rules), "--min", "99").returncode == 0


def test_a_reader_that_stops_early_is_no_error(baseline):
    lines = "".join(json.dumps(baseline) + "\n" for _ in range(3000))
    run = subprocess.run(
        f"{sys.executable} -m service.cli evaluate - | head -n 1",
        shell=True,
        input=lines,
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(run.stdout)["recommendation"] == "rebuild"
    assert run.stderr == ""


def test_jobs_keep_the_input_order_and_agree_with_one_process(tmp_path):
    rng = random.Random(77)
    cases = [random_answers(rng) for _ in range(1500)]
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases) + "{not json\n")
    one, three = closeness("evaluate", str(path)), closeness("evaluate", str(path), "--jobs", "3")
    assert one.returncode == three.returncode == 1  # the last line is not JSON
    assert one.stdout == three.stdout and len(three.stdout.splitlines()) == 1501
    results = [json.loads(line) for line in three.stdout.splitlines()[:-1]]
    assert [r["recommendation"] for r in results] == [decide(c)["recommendation"] for c in cases]


def test_a_pretty_printed_object_over_several_lines_is_one_answer_set(tmp_path, baseline):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(baseline, indent=2))
    run = closeness("evaluate", str(path))
    assert run.returncode == 0 and json.loads(run.stdout)["recommendation"] == "rebuild"
    empty = closeness("evaluate", "-", stdin="")
    assert empty.returncode == 1 and "standard input is empty" in empty.stderr and empty.stdout == ""


def test_a_byte_order_mark_is_read_and_other_encodings_are_named(tmp_path, baseline):
    marked = tmp_path / "marked.json"
    marked.write_bytes(b"\xef\xbb\xbf" + json.dumps(baseline).encode())
    run = closeness("evaluate", str(marked))
    assert run.returncode == 0 and json.loads(run.stdout)["recommendation"] == "rebuild"
    latin = tmp_path / "latin.json"
    latin.write_bytes(json.dumps(baseline).encode("utf-16"))
    run = closeness("evaluate", str(latin))
    assert run.returncode == 2 and "not UTF-8 text" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("where", ["before", "after"])
def test_rules_option_before_or_after_the_subcommand(tmp_path, baseline, where):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    header = rules / "rulebook.yaml"
    header.write_text(header.read_text().replace("version: 2.2.0", "version: 9.9.9"))
    args = (
        ["--rules", str(rules), "evaluate", "-"]
        if where == "before"
        else ["evaluate", "-", "--rules", str(rules)]
    )
    run = closeness(*args, stdin=json.dumps(baseline))
    assert run.returncode == 0 and json.loads(run.stdout)["ruleset"]["version"] == "9.9.9"


def test_commands_work_in_a_folder_that_has_a_rules_subfolder(tmp_path, baseline):
    (tmp_path / "rules").mkdir()  # an unrelated folder named rules where the command runs
    run = closeness("rules", "check", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.startswith("ok: "), run.stderr
    evaluated = closeness("evaluate", "-", stdin=json.dumps(baseline), cwd=tmp_path)
    assert evaluated.returncode == 0 and json.loads(evaluated.stdout)["recommendation"] == "rebuild"


@pytest.mark.parametrize(
    ("args", "environment", "code", "message"),
    [
        ((), {"CLOSENESS_RESOURCES_FILE": "/nonexistent/resources.json"}, 2, "resources file"),
        (("--rules", "/nonexistent/rules"), {}, 2, "rules directory not found"),
        ((), {"CLOSENESS_LOG_LEVEL": "LOUD"}, 2, "CLOSENESS_LOG_LEVEL has an invalid value"),
        ((), {"CLOSENESS_MAX_BODY_BYTES": "-5"}, 2, "CLOSENESS_MAX_BODY_BYTES has an invalid value"),
        ((), {"CLOSENESS_DECISION_LOG": "maybe"}, 2, "CLOSENESS_DECISION_LOG has an invalid value"),
        ((), {"CLOSENESS_ALERT_WEBHOOK_URL": "http://127.0.0.1:9/hook"}, 2, "needs CLOSENESS_ALERT_SECRET"),
        (
            (),
            {"CLOSENESS_DECISION_LOG": "true", "CLOSENESS_DECISION_LOG_URL": "sqlite:////proc/no/x.db"},
            2,
            "CLOSENESS_DECISION_LOG_URL: cannot use the folder /proc/no",
        ),
        (
            (),
            {"CLOSENESS_DECISION_LOG": "true", "CLOSENESS_DECISION_SPOOL_DIR": "/proc/spool"},
            2,
            "CLOSENESS_DECISION_SPOOL_DIR: cannot use the folder",
        ),
        ((), {"MALLOC_TRIM_THRESHOLD_": "abc"}, 2, "MALLOC_TRIM_THRESHOLD_ has an invalid value"),
        ((), {"PROMETHEUS_MULTIPROC_DIR": "relative"}, 2, "PROMETHEUS_MULTIPROC_DIR has an invalid value"),
        (("--host", "bad_host!"), {}, 2, "use an IP address or a host name"),
        (("--rules", "FAILING"), {}, 1, "its cases fail: consider-walking-away / fires_"),
    ],
    ids=[
        "resources",
        "rules",
        "log-level",
        "body-bytes",
        "flag",
        "alert-secret",
        "log-folder",
        "spool-folder",
        "malloc",
        "metrics-folder",
        "host",
        "failing-cases",
    ],
)
def test_serve_refuses_what_cannot_be_used_before_gunicorn_starts(tmp_path, args, environment, code, message):
    import os

    if "FAILING" in args:  # the README's worked example: a valid rulebook whose own cases now fail
        failing = tmp_path / "rules"
        shutil.copytree(default_rules_dir(), failing, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
        rule = failing / "walk-away" / "walk-away-many-signs.yaml"
        rule.write_text(rule.read_text().replace("at_least: 3}", "at_least: 4}"))
        args = tuple(str(failing) if a == "FAILING" else a for a in args)
    if args[:1] == ("--host",):
        run = closeness("serve", "--port", "1", *args, env={**os.environ, **environment})
    else:
        run = closeness(*args, "serve", "--port", "1", env={**os.environ, **environment})
    assert run.returncode == code and message in run.stderr
    assert "Traceback" not in run.stderr and "Listening at" not in run.stderr + run.stdout
    assert len(run.stderr.strip().splitlines()) <= 4


def test_rules_diff_takes_cases_or_a_replay_and_says_when_a_replay_kept_no_answers(tmp_path, baseline):
    answers = tmp_path / "answers.jsonl"
    answers.write_text(json.dumps(baseline) + "\n")
    both = closeness(
        "rules", "diff", "rules", "rules", "--cases", str(answers), "--replay", str(answers), cwd=ROOT
    )
    assert both.returncode == 2 and "give --cases or --replay, not both" in both.stderr
    plain = closeness("rules", "diff", "rules", "rules", "--replay", str(answers), cwd=ROOT)
    assert plain.returncode == 2 and "none of its 1 decisions kept its answers" in plain.stderr


def test_cli_writes_markdown_and_html():
    markdown = closeness("rules", "report")
    html = closeness("rules", "report", "--format", "html")
    assert markdown.returncode == html.returncode == 0
    assert markdown.stdout.startswith("# Closeness rulebook") and html.stdout.startswith("<!doctype html>")


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CLOSENESS_WORKERS", "many"), ("CLOSENESS_WORKER_CLASS", "eventlet"), ("CLOSENESS_PORT", "0")],
)
def test_serve_names_a_bad_setting_in_one_line(variable, value):
    run = closeness("serve", env={**os.environ, variable: value})
    assert run.returncode == 2 and run.stderr.strip().splitlines() == [
        f"closeness: {variable} has an invalid value ({run.stderr.split('(', 1)[1].strip()}"
    ]


def test_a_command_imports_its_own_module_and_help_lists_every_command(tmp_path):
    # closeness evaluate starts without the other commands' modules (and their libraries); --help still
    # names every command, and an unknown one is refused as before.
    from service.cli.group import COMMAND_MODULES

    path = tmp_path / "one.json"
    path.write_text(json.dumps(random_answers(random.Random(3))))
    probe = (
        "import sys; from service.cli import main\n"
        "try: main(sys.argv[1:])\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('service.cli.')), file=sys.stderr)"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, "evaluate", str(path)], capture_output=True, text=True, timeout=120
    )
    loaded = run.stderr.strip().splitlines()[-1]
    assert "'service.cli.evaluate'" in loaded, run.stderr
    assert not [m for m in COMMAND_MODULES.values() if m != "service.cli.evaluate" and f"'{m}'" in loaded]
    listed = closeness("--help").stdout
    assert all(f"\n  {name} " in listed for name in COMMAND_MODULES)
    unknown = closeness("nosuch")
    assert unknown.returncode == 2 and "No such command 'nosuch'" in unknown.stderr
