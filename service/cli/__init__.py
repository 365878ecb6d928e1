"""The closeness command: evaluate answers; check, test, report and diff rules; the decision log; serve.

The top floor: it imports every other layer and nothing imports it. One click group whose every
failure a user can cause is one or a few lines and a documented exit code.
"""

from service.cli import evaluate, log, rules, serve  # noqa: F401 - their commands join the group
from service.cli.group import cli, main

__all__ = ["cli", "main"]
