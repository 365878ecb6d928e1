"""Every command of the closeness group: importing their modules adds them to it."""

from service.cli import couples, evaluate, log, rules, serve  # noqa: F401 - their commands join the group
from service.cli.group import cli

__all__ = ["cli"]
