"""The closeness group, every command in it: each command's module is imported when it runs (its name
and module are in service/cli/group.py's COMMAND_MODULES)."""

from service.cli.group import cli

__all__ = ["cli"]
