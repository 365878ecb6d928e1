"""`closeness couples key|create|list|show|void|erase`: couple mode's pairs in the configured database
(CLOSENESS_DATABASE_URL), sealed with CLOSENESS_DATA_KEY. Codes are printed once, when they are made:
send each invite only to that partner's own contact."""

import json
import re

import click

from service.cli.group import UsageError, chosen_rules, cli, rules_option
from service.ops.settings import rules_dir, settings

PAIR_ID = re.compile(r"^[0-9a-f]{32}$")
BASE_HELP = "the service's public address, for the links (default: http://127.0.0.1:8000/)"


def _flow(rules: str | None = None):
    from service.audit.couple_flow import CoupleFlow
    from service.audit.couples_store import CouplesStore
    from service.audit.decision_log import DecisionLog, migrate
    from service.core.decision import Evaluator
    from service.core.rulebook import load_rulebook
    from service.core.sealing import MAKE_ONE

    config = settings()
    if not config["DATA_KEY"]:
        raise UsageError(f"couple mode needs CLOSENESS_DATA_KEY; make one with: {MAKE_ONE}")
    rulebook = load_rulebook(rules_dir(chosen_rules(rules)))
    if rulebook.couple is None:
        raise UsageError("these rules have no couple rules (rules/couple/)")
    migrate(config["DATABASE_URL"])
    store = CouplesStore.from_settings(config)
    # Erasing a pair erases its decision records too (the log's database is this one).
    decision_log = DecisionLog(config["DATABASE_URL"]) if config["DECISION_LOG"] else None
    return CoupleFlow(store, Evaluator(rulebook), decision_log)


def _pair_id(text: str) -> str:
    if not PAIR_ID.match(text):
        raise UsageError("a pair id is 32 hex digits, as `closeness couples list` shows")
    return text


def _gone():
    return UsageError("no such pair (erased, or past its retention)")


@cli.group("couples", help="Couple mode's pairs: create, list, show, void an invite, erase.")
def couples_group():
    pass


@couples_group.command("key", help="Print a new data key for CLOSENESS_DATA_KEY.")
def key_command():
    from service.core.sealing import new_key

    click.echo(new_key())


@couples_group.command("create", help="Create a pair; prints its invites and report link, once.")
@click.option("--label", help="the practice's own label (at most 100 characters; never shown to partners)")
@click.option("--base-url", default="http://127.0.0.1:8000/", help=BASE_HELP)
@rules_option
def create_command(label, base_url, rules):
    if label is not None and not (1 <= len(label) <= 100 and label.isprintable()):
        raise UsageError("--label: use 1 to 100 printable characters")
    base = base_url.rstrip("/") + "/"
    pair, codes = _flow(rules).create(label)
    for role in ("a", "b"):
        who = f"partner {role.upper()}"
        click.echo(f"{who} invite (send only to {who}'s own contact): {base}form#invite={codes[role]}")
        click.echo(f"  expires {pair.meta['partners'][role]['invite_expires_at']}")
    click.echo(f"report link (for the practice): {base}couples/{pair.id}/report#token={codes['report']}")
    click.echo(f"pair {pair.id}, kept until {pair.retain_until.isoformat(timespec='seconds')}")


@couples_group.command("list", help="Live pairs, newest first: id, created, kept until.")
@rules_option
def list_command(rules):
    for pair_id, created, until in _flow(rules).store.list_ids():
        made, kept = created.isoformat(timespec="seconds"), until.isoformat(timespec="seconds")
        click.echo(f"{pair_id}  created {made}  kept until {kept}")


@couples_group.command("show", help="A pair as JSON: status, each partner's own result, the joint view.")
@click.argument("pair_id")
@rules_option
def show_command(pair_id, rules):
    from service.audit.couples_store import PairGone

    try:
        view = _flow(rules).practice_view(_pair_id(pair_id))
    except PairGone:
        raise _gone() from None
    click.echo(json.dumps(view, ensure_ascii=False, indent=2))


@couples_group.command("void", help="Void a partner's invite (and answers) and print a fresh invite.")
@click.argument("pair_id")
@click.argument("role", type=click.Choice(["a", "b"]))
@click.option("--base-url", default="http://127.0.0.1:8000/", help=BASE_HELP)
@rules_option
def void_command(pair_id, role, base_url, rules):
    from service.audit.couples_store import PairGone

    try:
        code, expires_at = _flow(rules).reinvite(_pair_id(pair_id), role)
    except PairGone:
        raise _gone() from None
    base = base_url.rstrip("/") + "/"
    who = f"partner {role.upper()}"
    click.echo(f"{who} new invite (send only to {who}'s own contact): {base}form#invite={code}")
    click.echo(f"  expires {expires_at}")


@couples_group.command(
    "reseal", help="Seal every pair again under the first key of CLOSENESS_DATA_KEY (after a rotation)."
)
@rules_option
def reseal_command(rules):
    pairs = _flow(rules).store.reseal()
    click.echo(f"sealed again under the first key: {pairs} pair(s)")


@couples_group.command("erase", help="Erase a pair and everything of it.")
@click.argument("pair_id")
@rules_option
def erase_command(pair_id, rules):
    if not _flow(rules).erase(_pair_id(pair_id)):
        raise _gone()
    click.echo(f"erased {pair_id}")
