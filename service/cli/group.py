"""The `closeness` group: options every command shares, and errors as a line or two and an exit code.

Exit codes: 0 done (evaluate: every answer set valid; rules diff: no decision changed); 1 a finding
(invalid answers, failed cases, changed decisions, a rulebook with problems); 2 a usage or setting
problem (a bad option or value, an unreadable file, an unreachable database).
"""

import importlib
import sys

import click

from service.core.exceptions import AnswersInvalid, ClosenessError, DecisionLogUnavailable
from service.core.json_input import JsonInputError
from service.core.rulebook import RulebookError
from service.ops.settings import ConfigError, settings

HELP = "Evaluate answers; check, test, report and diff rules; keep the decision log; serve the API."
RULES_HELP = "rules directory (default: CLOSENESS_RULES_DIR or the packaged rules)"


class UsageError(ClosenessError):
    """A command-line value that cannot be used; the message says what is expected."""


# Each command's module, imported when that command runs (or --help lists them all): a command's start
# does not wait for every other command's libraries.
COMMAND_MODULES = {
    "couples": "service.cli.couples",
    "evaluate": "service.cli.evaluate",
    "log": "service.cli.log",
    "rules": "service.cli.rules",
    "serve": "service.cli.serve",
}


class _Closeness(click.Group):
    """Every failure a user can cause becomes one or a few lines and an exit code (see the module)."""

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            importlib.import_module(COMMAND_MODULES[cmd_name])  # its decorator adds it to the group
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RulebookError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            # A rules folder that is not there is a usage problem (2); one with problems, a finding (1).
            missing = all(problem.message == "rules directory not found" for problem in error.problems)
            ctx.exit(2 if missing else 1)
        except (JsonInputError, AnswersInvalid, ConfigError, UsageError) as error:
            click.echo(f"closeness: {error}", err=True)
            ctx.exit(2)
        except BrokenPipeError:
            raise  # click stops quietly when the reader went away (closeness evaluate ... | head -1)
        except UnicodeDecodeError as error:
            where = ctx.meta.get("closeness.reading", "the input")
            click.echo(
                f"closeness: {where} is not UTF-8 text (byte {error.start}); save it as UTF-8", err=True
            )
            ctx.exit(2)
        except OSError as error:
            click.echo(f"closeness: {error.filename}: {error.strerror}", err=True)
            ctx.exit(2)
        except DecisionLogUnavailable:
            click.echo("closeness: the decision log's database did not answer in time; try again", err=True)
            ctx.exit(1)
        except Exception as error:
            # SQLAlchemy is imported by the log commands only (it takes a tenth of a second to load):
            # where it was never loaded, none of its errors can be the cause.
            errors = sys.modules.get("sqlalchemy.exc")
            if errors is None or not isinstance(error, errors.SQLAlchemyError):
                raise
            from sqlalchemy.engine import make_url

            # The URL's scheme and host only: it may hold a password, and the error text the statement.
            url = make_url(settings()["DATABASE_URL"])
            where = f"{url.get_backend_name()} at {url.host}" if url.host else url.get_backend_name()
            hint = (
                " (its tables are made by `closeness log migrate`)" if "no such table" in str(error) else ""
            )
            click.echo(
                f"closeness: the decision log ({where}) failed: {type(error).__name__}{hint}", err=True
            )
            ctx.exit(2)


@click.group(cls=_Closeness, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--rules", metavar="DIR", help=RULES_HELP)
def cli(rules):
    pass


def rules_option(command):
    """`--rules DIR` after the subcommand too (`closeness evaluate --rules DIR ...`)."""
    return click.option("--rules", "rules", metavar="DIR", help=RULES_HELP)(command)


def chosen_rules(rules: str | None) -> str | None:
    """The rules directory given after the subcommand, else the one given before it."""
    return rules or click.get_current_context().find_root().params.get("rules")
