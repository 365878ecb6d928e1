"""`closeness log migrate|stats|prune|erase|export`: the decision log (CLOSENESS_DECISION_LOG_URL)."""

import json
import re
import sys
from datetime import UTC, datetime, timedelta

import click

from schemas.queries import parse_moment, parse_span
from service.cli.group import UsageError, cli
from service.ops.settings import settings

SINCE_HELP = "ISO 8601 date and time, or a span back from now such as 7d"


def duration(text: str, option: str) -> timedelta:
    """A span such as 90d, 12h or 30m."""
    span = parse_span(text)
    if span is None:
        raise UsageError(f"{option}: expected a span such as 90d, 12h or 30m")
    return span


def moment(text: str | None, option: str, default: datetime | None = None) -> datetime | None:
    """A date and time in ISO 8601 (UTC unless it says otherwise), or a span back from now (7d)."""
    if text is None:
        return default
    value = parse_moment(text)
    if value is None:
        raise UsageError(
            f"{option}: expected a date such as 2026-11-28 or 2026-11-28T09:00Z, or a span such as 7d"
        )
    return value


def _log():
    # Imported here: SQLAlchemy takes a tenth of a second to load, which `closeness evaluate` need not pay.
    from service.audit.decision_log import DecisionLog

    return DecisionLog(settings()["DATABASE_URL"])


@cli.group("log", help="The decision log (CLOSENESS_DECISION_LOG_URL).")
def log_group():
    pass


@log_group.command("migrate", help="Create or update the log's tables.")
def migrate_command():
    from service.audit.decision_log import migrate

    url = settings()["DATABASE_URL"]
    migrate(url)
    click.echo(f"decision log schema is current ({url.split('://')[0]})")


@log_group.command("stats", help="How often each outcome was given and each rule reported.")
@click.option("--since", help=f"{SINCE_HELP} (default: 30d)")
@click.option("--until", help=f"{SINCE_HELP} (default: now)")
def stats(since, until):
    since = moment(since, "--since", datetime.now(UTC) - timedelta(days=30))
    until = moment(until, "--until")
    counted = _log().stats(since, until)
    end = until.isoformat() if until else "now"
    click.echo(f"decisions from {since.isoformat()} to {end}: {counted['decisions']}")
    click.echo("outcomes:")
    for outcome, count in counted["outcomes"].items():
        click.echo(f"  {count:8d}  {outcome}")
    click.echo("rules reported:")
    for rule, count in counted["rules"].items():
        click.echo(f"  {count:8d}  {rule}")


@log_group.command("prune", help="Delete the decisions older than a span, such as 90d.")
@click.option("--older-than", "older_than", required=True, metavar="SPAN", help="90d, 12h or 30m")
def prune(older_than):
    before = datetime.now(UTC) - duration(older_than, "--older-than")
    removed = _log().prune(before)
    click.echo(f"removed {removed} decisions made before {before.isoformat(timespec='seconds')}")


@log_group.command("erase", help="Delete one decision's record (ID: 32 hex digits).")
@click.argument("id")
def erase(id):  # noqa: A002 - the argument's name in the help
    if not re.fullmatch(r"[0-9a-f]{32}", id):
        raise UsageError("ID: a decision id is 32 hex digits (decision_id, X-Decision-ID)")
    if not _log().erase(id):
        click.echo(f"closeness: no decision {id}", err=True)
        sys.exit(1)
    click.echo(f"erased decision {id}")


@log_group.command("export", help="Decisions as JSON Lines on standard output, oldest first.")
@click.option("--since", help=f"{SINCE_HELP} (default: all)")
@click.option("--until", help=f"{SINCE_HELP} (default: now)")
def export(since, until):
    """Decisions as JSON Lines, oldest first, a page at a time (answers only where they were kept)."""
    decision_log = _log()
    since = moment(since, "--since", datetime(1970, 1, 1, tzinfo=UTC))
    until, after, count = moment(until, "--until"), None, 0
    while True:
        page = decision_log.since(since, until, 1000, after)
        for record in page:
            sys.stdout.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += len(page)
        if len(page) < 1000:
            break
        after = (datetime.fromisoformat(page[-1]["created_at"]), page[-1]["id"])
    click.echo(f"exported {count} decisions", err=True)
