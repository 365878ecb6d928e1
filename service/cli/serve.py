"""`closeness serve`: gunicorn with the project's config, once everything it needs has been checked."""

import os
import sys
from pathlib import Path

import click

from service.cli.group import chosen_rules, cli, rules_option
from service.core.rulebook import load_rulebook
from service.ops.settings import load_resources, rules_dir, settings


def gunicorn_command(
    host: str, port: int, workers: int | None = None, app: str = "service:create_app()"
) -> list:
    """What `closeness serve` runs: gunicorn with the project's config (service/cli/gunicorn_conf.py)."""
    command = [sys.executable, "-m", "gunicorn", "--config", "python:service.cli.gunicorn_conf"]
    command += ["--bind", f"{host}:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    return command + [app]


@cli.command("serve", help="Serve the HTTP API with gunicorn.")
@click.option("--host", help="default: CLOSENESS_HOST or 127.0.0.1")
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
    rulebook = load_rulebook(rules_dir(rules or configured["RULES_DIR"]))
    load_resources(configured["RESOURCES_FILE"], rulebook.concerns, rulebook.resources)
    os.execv(
        sys.executable, gunicorn_command(host or configured["HOST"], port or configured["PORT"], workers)
    )
