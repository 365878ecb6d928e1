"""The top floor: the closeness command, gunicorn's config and what its master checked (boot).

Nothing below imports this package, except create_app taking the master's rulebook from `boot`; so
this file stays light and the commands load when the command runs (service/cli/commands.py).
"""


def main(argv: list[str] | None = None) -> int:
    """The console script: exit codes as service/cli/group.py documents them."""
    from service.cli.commands import cli

    return cli.main(args=argv, prog_name="closeness")


def __getattr__(name: str):
    if name == "cli":  # the click group, for tests and embedding
        from service.cli.commands import cli

        return cli
    raise AttributeError(name)
