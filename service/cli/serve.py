"""`closeness serve`: gunicorn with the project's config, once everything it needs has been checked."""

import os
import sys
from pathlib import Path

import click

from service.audit.casefiles import run_cases
from service.cli.group import chosen_rules, cli, rules_option
from service.core.decision import Evaluator
from service.core.rulebook import Problem, RulebookError, load_rulebook
from service.ops.settings import HOST, load_resources, preflight, rules_dir, settings


def gunicorn_command(
    host: str, port: int, workers: int | None = None, app: str = "service:create_app()"
) -> list:
    """What `closeness serve` runs: gunicorn with the project's config (service/cli/gunicorn_conf.py)."""
    command = [sys.executable, "-m", "gunicorn", "--config", "python:service.cli.gunicorn_conf"]
    command += ["--bind", f"{host}:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    return command + [app]


def _host(ctx, param, value):
    if value is not None and not HOST.match(value):
        raise click.BadParameter("use an IP address or a host name, such as 127.0.0.1")
    return value


@cli.command("serve", help="Serve the HTTP API with gunicorn.")
@click.option("--host", callback=_host, help="default: CLOSENESS_HOST or 127.0.0.1")
@click.option("--port", type=click.IntRange(1, 65535), help="default: CLOSENESS_PORT or 8000")
@click.option("--workers", type=click.IntRange(min=1))
@rules_option
def serve(host, port, workers, rules):
    configured = settings()  # a bad variable stops here, named, before gunicorn starts
    rules = chosen_rules(rules)
    if rules:
        os.environ["CLOSENESS_RULES_DIR"] = str(Path(rules).resolve())
    # So do a rules folder and a resources file that cannot be used (gunicorn would bind, then every
    # worker would fail to boot).
    preflight(configured)
    directory = rules_dir(rules or configured["RULES_DIR"])
    rulebook = load_rulebook(directory)
    load_resources(configured["RESOURCES_FILE"], rulebook.concerns, rulebook.resources)
    # gunicorn's master refuses a rulebook whose cases fail: say so here, in a few lines.
    failed = [outcome for outcome in run_cases(Evaluator(rulebook)) if not outcome.passed]
    if failed:
        details = [f"{o.rule} / {o.case}: {o.problems[0]}" for o in failed[:5]]
        raise RulebookError([Problem(directory, 1, "its cases fail: " + "; ".join(details))])
    os.execv(
        sys.executable, gunicorn_command(host or configured["HOST"], port or configured["PORT"], workers)
    )
