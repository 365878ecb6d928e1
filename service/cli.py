"""The closeness command: evaluate answers; check, test, report and diff rules; the decision log; serve."""

import itertools
import json
import multiprocessing
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import click
import orjson
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from service.api.jsonio import JsonInputError, parse_json
from service.audit.casefiles import run_cases
from service.audit.coverage import coverage
from service.audit.coverage import percent as coverage_percent
from service.audit.coverage import report_lines as coverage_lines
from service.audit.decision_log import DecisionLog, migrate
from service.audit.impact import impact, markdown, replay, report_lines
from service.audit.report import rulebook_blocks, to_html, to_markdown
from service.core.decision import Evaluator
from service.core.exceptions import AnswersInvalid, ClosenessError
from service.core.rulebook import RulebookError, load_rulebook
from service.ops.settings import ConfigError, load_resources, rules_dir, settings

EMPTY_LINE = {"_line": ["This line is empty; expected one JSON object of answers."]}


def _evaluator(args) -> Evaluator:
    rulebook = load_rulebook(rules_dir(args.rules))
    resources = load_resources(settings()["RESOURCES_FILE"], rulebook.concerns, rulebook.resources)
    return Evaluator(rulebook, resources)


def _one(evaluator: Evaluator, text: str) -> tuple[dict, bool]:
    """(result or errors, valid?) for one JSON text."""
    try:
        return evaluator.assess(parse_json(text)), True
    except JsonInputError as error:
        return {"errors": {"_json": [str(error)]}}, False
    except AnswersInvalid as error:
        out = {"errors": error.messages}
        if error.retired:
            out["message"] = error.retired
        if error.safety_resources is not None:
            out["safety_resources"] = error.safety_resources
        return out, False


_worker_evaluator: Evaluator | None = None  # in --jobs worker processes (forked: the engine rebuilds itself)


def _line_result(line: str) -> tuple[bytes, bool]:
    if not line.strip():
        return orjson.dumps({"errors": EMPTY_LINE}) + b"\n", False
    result, valid = _one(_worker_evaluator, line)
    return orjson.dumps(result) + b"\n", valid


def _results(evaluator: Evaluator, lines, jobs: int):
    """(JSON line, valid?) for every input line, in input order; several processes with --jobs."""
    global _worker_evaluator
    _worker_evaluator = evaluator
    if jobs <= 1:
        yield from map(_line_result, lines)
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(_line_result, lines, chunksize=256)


def evaluate(args) -> int:
    """One JSON object in, one result out; or JSON Lines, streamed line by line in constant memory."""
    evaluator = _evaluator(args)
    source = sys.stdin if args.path == "-" else open(args.path, encoding="utf-8")  # noqa: SIM115
    with source:
        first = source.readline()
        if not first:
            return 0  # nothing to evaluate
        try:
            parse_json(first)
            second = source.readline()
        except JsonInputError:  # not a whole document on one line: one object over several lines
            first, second = first + source.read(), ""
        if not second and not first.lstrip().startswith(("[", '"')) and first.strip():
            result, valid = _one(evaluator, first)
            print(json.dumps(result, indent=2, ensure_ascii=False))
            return 0 if valid else 1
        lines = itertools.chain([first, second] if second else [first], source)
        # Buffered whatever PYTHONUNBUFFERED says (a write per line costs a system call each).
        out = open(sys.stdout.fileno(), "wb", buffering=1 << 16, closefd=False)  # noqa: SIM115
        progress = sys.stderr.isatty()
        all_valid, count = True, 0
        for data, valid in _results(evaluator, (line.rstrip("\n") for line in lines), args.jobs):
            out.write(data)
            all_valid &= valid
            count += 1
            if progress and count % 1000 == 0:
                print(f"\r{count} answer sets", end="", file=sys.stderr, flush=True)
        if progress and count >= 1000:
            print(f"\r{count} answer sets", file=sys.stderr)
        out.flush()
    return 0 if all_valid else 1


def rules_check(args) -> int:
    rulebook = load_rulebook(rules_dir(args.dir or args.rules))
    counts = {kind: len(rulebook.of_kind(kind)) for kind in ("rule", "outcome", "derived")}
    cases = sum(len(entry.cases) for entry in rulebook.entries.values())
    print(
        f"ok: {counts['rule']} rules, {counts['outcome']} outcome levels, {counts['derived']} derivations, "
        f"{cases} cases; version {rulebook.version}, {rulebook.digest}"
    )
    return 0


def rules_test(args) -> int:
    evaluator = Evaluator(load_rulebook(rules_dir(args.dir or args.rules)))
    outcomes = run_cases(evaluator)
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        for problem in outcome.problems:
            print(f"FAIL {outcome.rule} / {outcome.case}: {problem}")
    print(f"rule cases: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    if not (args.coverage or args.min is not None):
        return 1 if failed else 0
    items = coverage(evaluator.rulebook)
    print("\n".join(coverage_lines(items, everything=args.coverage)))
    short = args.min is not None and coverage_percent(items) < args.min
    if short:
        print(f"coverage {coverage_percent(items):.1f}% is under the required {args.min:g}%")
    return 1 if failed or short else 0


def rules_report(args) -> int:
    rulebook = load_rulebook(rules_dir(args.dir or args.rules))
    blocks = rulebook_blocks(rulebook, settings()["ARTICLE_BASE_URL"])
    sys.stdout.write(to_html(blocks) if args.format == "html" else to_markdown(blocks))
    return 0


def _jsonl(path: str, option: str) -> list[tuple[int, object]]:
    """(1-based line number, parsed JSON) for every non-empty line; a bad line is a UsageError naming it."""
    out = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                out.append((number, parse_json(line)))
            except JsonInputError as error:
                raise UsageError(f"{option} {path} line {number}: {error}") from None
    return out


def _case_lines(path: str, evaluator: Evaluator) -> list[tuple[str, dict]]:
    """The answer sets of a cases file, each checked against the questionnaire (problems: line, field)."""
    cases, problems = [], []
    for number, answers in _jsonl(path, "--cases"):
        try:
            evaluator.assess(answers)
        except AnswersInvalid as error:
            fields = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.messages.items())
            problems.append(f"--cases {path} line {number}: {fields}")
            continue
        cases.append((f"line {number}", answers))
    if problems:
        raise UsageError(
            "\n".join(problems[:20]) + (f"\n... and {len(problems) - 20} more" if len(problems) > 20 else "")
        )
    return cases


def rules_diff(args) -> int:
    # A draft may be incomplete (a rule removed, its cases not yet): compare anyway, and say so.
    old, new = load_rulebook(args.old, strict=False), load_rulebook(args.new, strict=False)
    for warning in (*old.warnings, *new.warnings):
        print(f"warning: {warning}", file=sys.stderr)
    if args.replay:
        records = [record for _, record in _jsonl(args.replay, "--replay") if isinstance(record, dict)]
        result = replay(new, records)
    else:
        cases = _case_lines(args.cases, Evaluator(new)) if args.cases else None
        result = impact(old, new, cases)
    if args.format == "json":
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    elif args.format == "md":
        sys.stdout.write(markdown(result))
    else:
        print("\n".join(report_lines(result)))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            for case in result.changed_cases:  # one answer set a line: `closeness evaluate` takes it as is
                out.write(json.dumps(case.answers, ensure_ascii=False, separators=(",", ":")) + "\n")
    if result.version_unchanged:
        print(f"closeness: rules changed but the version is still {new.version}", file=sys.stderr)
        if args.strict:
            return 1
    return 1 if result.changed_cases else 0


def log_migrate(args) -> int:
    url = settings()["DECISION_LOG_URL"]
    migrate(url)
    print(f"decision log schema is current ({url.split('://')[0]})")
    return 0


class UsageError(ClosenessError):
    """A command-line value that cannot be used; the message says what is expected."""


DURATION = re.compile(r"^(\d+)([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def duration(text: str, option: str) -> timedelta:
    """A span such as 90d, 12h or 30m."""
    match = DURATION.match(text.strip())
    if not match:
        raise UsageError(f"{option}: expected a span such as 90d, 12h or 30m")
    return timedelta(**{UNITS[match.group(2)]: int(match.group(1))})


def moment(text: str | None, option: str, default: datetime | None = None) -> datetime | None:
    """A date and time in ISO 8601 (UTC unless it says otherwise), or a span back from now (7d)."""
    if text is None:
        return default
    if DURATION.match(text.strip()):
        return datetime.now(UTC) - duration(text, option)
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{option}: expected a date such as 2026-11-28 or 2026-11-28T09:00Z, or a span such as 7d"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def log_stats(args) -> int:
    since = moment(args.since, "--since", datetime.now(UTC) - timedelta(days=30))
    until = moment(args.until, "--until")
    stats = DecisionLog(settings()["DECISION_LOG_URL"]).stats(since, until)
    print(
        f"decisions from {since.isoformat()} to {until.isoformat() if until else 'now'}: {stats['decisions']}"
    )
    print("outcomes:")
    for outcome, count in stats["outcomes"].items():
        print(f"  {count:8d}  {outcome}")
    print("rules reported:")
    for rule, count in stats["rules"].items():
        print(f"  {count:8d}  {rule}")
    return 0


def log_prune(args) -> int:
    before = datetime.now(UTC) - duration(args.older_than, "--older-than")
    removed = DecisionLog(settings()["DECISION_LOG_URL"]).prune(before)
    print(f"removed {removed} decisions made before {before.isoformat(timespec='seconds')}")
    return 0


def log_erase(args) -> int:
    if not re.fullmatch(r"[0-9a-f]{32}", args.id):
        raise UsageError("ID: a decision id is 32 hex digits (decision_id, X-Decision-ID)")
    if not DecisionLog(settings()["DECISION_LOG_URL"]).erase(args.id):
        print(f"closeness: no decision {args.id}", file=sys.stderr)
        return 1
    print(f"erased decision {args.id}")
    return 0


def log_export(args) -> int:
    """Decisions as JSON Lines, oldest first, a page at a time (answers only where they were kept)."""
    decision_log = DecisionLog(settings()["DECISION_LOG_URL"])
    since = moment(args.since, "--since", datetime(1970, 1, 1, tzinfo=UTC))
    until, after, count = moment(args.until, "--until"), None, 0
    while True:
        page = decision_log.since(since, until, 1000, after)
        for record in page:
            sys.stdout.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += len(page)
        if len(page) < 1000:
            break
        after = (datetime.fromisoformat(page[-1]["created_at"]), page[-1]["id"])
    print(f"exported {count} decisions", file=sys.stderr)
    return 0


def gunicorn_command(
    host: str, port: int, workers: int | None = None, app: str = "service:create_app()"
) -> list:
    """What `closeness serve` runs: gunicorn with the project's config (service/ops/gunicorn_conf.py)."""
    command = [sys.executable, "-m", "gunicorn", "--config", "python:service.ops.gunicorn_conf"]
    command += ["--bind", f"{host}:{port}"]
    if workers:
        command += ["--workers", str(workers)]
    return command + [app]


def serve(args) -> int:
    configured = settings()  # a bad variable stops here, named, before gunicorn starts
    if args.rules:
        os.environ["CLOSENESS_RULES_DIR"] = str(Path(args.rules).resolve())
    # So do a rules folder and a resources file that cannot be used (gunicorn would bind, then every
    # worker would fail to boot).
    rulebook = load_rulebook(rules_dir(args.rules or configured["RULES_DIR"]))
    load_resources(configured["RESOURCES_FILE"], rulebook.concerns, rulebook.resources)
    host, port = args.host or configured["HOST"], args.port or configured["PORT"]
    os.execv(sys.executable, gunicorn_command(host, port, args.workers))


class _Closeness(click.Group):
    """The command group: every failure a user can cause is one or a few lines and an exit code.

    Exit codes: 0 done (evaluate: every answer set valid; rules diff: no decision changed); 1 a
    finding (invalid answers, failed cases, changed decisions, a rulebook with problems); 2 a usage
    or setting problem (a bad option or value, an unreadable file, an unreachable database).
    """

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except RulebookError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            ctx.exit(1)
        except (JsonInputError, AnswersInvalid, ConfigError, UsageError) as error:
            click.echo(f"closeness: {error}", err=True)
            ctx.exit(2)
        except BrokenPipeError:
            raise  # click stops quietly when the reader went away (closeness evaluate ... | head -1)
        except OSError as error:
            click.echo(f"closeness: {error.filename}: {error.strerror}", err=True)
            ctx.exit(2)
        except SQLAlchemyError as error:
            # The URL's scheme and host only: it may hold a password, and the error text the statement.
            url = make_url(settings()["DECISION_LOG_URL"])
            where = f"{url.get_backend_name()} at {url.host}" if url.host else url.get_backend_name()
            hint = (
                " (its tables are made by `closeness log migrate`)" if "no such table" in str(error) else ""
            )
            click.echo(
                f"closeness: the decision log ({where}) failed: {type(error).__name__}{hint}", err=True
            )
            ctx.exit(2)


def _run(ctx: click.Context, command, **options) -> None:
    ctx.exit(command(SimpleNamespace(rules=ctx.find_root().params["rules"], **options)))


@click.group(cls=_Closeness, help=__doc__, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--rules", metavar="DIR", help="rules directory (default: CLOSENESS_RULES_DIR or the packaged rules)"
)
def cli(rules):
    pass


@cli.command(
    "evaluate", help="Evaluate one JSON object, or JSON Lines of answers (PATH or - for standard input)."
)
@click.argument("path")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    metavar="N",
    help="worker processes (output in input order)",
)
@click.pass_context
def evaluate_command(ctx, path, jobs):
    _run(ctx, evaluate, path=path, jobs=jobs)


@cli.group("rules", help="Check, test, report or diff rules directories.")
def rules_group():
    pass


@rules_group.command("check", help="Lint the rule files: prints file:line: message, exit 1 on problems.")
@click.argument("dir", required=False)
@click.pass_context
def rules_check_command(ctx, dir):  # noqa: A002 - the argument's name in the help
    _run(ctx, rules_check, dir=dir)


@rules_group.command(
    "test", help="Run every case file beside the rules; --coverage reports what they exercise."
)
@click.argument("dir", required=False)
@click.option("--coverage", is_flag=True, help="report what the cases exercise")
@click.option(
    "--min", "min_", type=float, metavar="PCT", help="exit 1 when coverage is under PCT (implies --coverage)"
)
@click.pass_context
def rules_test_command(ctx, dir, coverage, min_):  # noqa: A002
    _run(ctx, rules_test, dir=dir, coverage=coverage, min=min_)


@rules_group.command("report", help="The rulebook as a readable document (Markdown or HTML).")
@click.argument("dir", required=False)
@click.option("--format", "format_", type=click.Choice(["md", "html"]), default="md")
@click.pass_context
def rules_report_command(ctx, dir, format_):  # noqa: A002
    _run(ctx, rules_report, dir=dir, format=format_)


@rules_group.command("diff", help="What changes between two rules directories; exit 1 if any decision does.")
@click.argument("old")
@click.argument("new")
@click.option("--cases", metavar="FILE.jsonl", help="answer sets to compare on (default: cases + a sample)")
@click.option(
    "--replay", metavar="EXPORT.jsonl", help="decide logged decisions (closeness log export) with NEW"
)
@click.option("--format", "format_", type=click.Choice(["text", "json", "md"]), default="text")
@click.option("--out", metavar="FILE.jsonl", help="write the changed cases' answers, one set a line")
@click.option("--strict", is_flag=True, help="exit 1 when rules changed but the version did not")
@click.pass_context
def rules_diff_command(ctx, old, new, cases, replay, format_, out, strict):
    _run(
        ctx, rules_diff, old=old, new=new, cases=cases, replay=replay, format=format_, out=out, strict=strict
    )


@cli.group("log", help="The decision log (CLOSENESS_DECISION_LOG_URL).")
def log_group():
    pass


@log_group.command("migrate", help="Create or update the log's tables.")
@click.pass_context
def log_migrate_command(ctx):
    _run(ctx, log_migrate)


SINCE_HELP = "ISO 8601 date and time, or a span back from now such as 7d"


@log_group.command("stats", help="How often each outcome was given and each rule reported.")
@click.option("--since", help=f"{SINCE_HELP} (default: 30d)")
@click.option("--until", help=f"{SINCE_HELP} (default: now)")
@click.pass_context
def log_stats_command(ctx, since, until):
    _run(ctx, log_stats, since=since, until=until)


@log_group.command("prune", help="Delete the decisions older than a span, such as 90d.")
@click.option("--older-than", "older_than", required=True, metavar="SPAN", help="90d, 12h or 30m")
@click.pass_context
def log_prune_command(ctx, older_than):
    _run(ctx, log_prune, older_than=older_than)


@log_group.command("erase", help="Delete one decision's record (ID: 32 hex digits).")
@click.argument("id")
@click.pass_context
def log_erase_command(ctx, id):  # noqa: A002
    _run(ctx, log_erase, id=id)


@log_group.command("export", help="Decisions as JSON Lines on standard output, oldest first.")
@click.option("--since", help=f"{SINCE_HELP} (default: all)")
@click.option("--until", help=f"{SINCE_HELP} (default: now)")
@click.pass_context
def log_export_command(ctx, since, until):
    _run(ctx, log_export, since=since, until=until)


@cli.command("serve", help="Serve the HTTP API with gunicorn.")
@click.option("--host", help="default: CLOSENESS_HOST or 127.0.0.1")
@click.option("--port", type=click.IntRange(1, 65535), help="default: CLOSENESS_PORT or 8000")
@click.option("--workers", type=click.IntRange(min=1))
@click.pass_context
def serve_command(ctx, host, port, workers):
    _run(ctx, serve, host=host, port=port, workers=workers)


def main(argv: list[str] | None = None) -> int:
    """The console script: exit codes as _Closeness documents them."""
    return cli.main(args=argv, prog_name="closeness")


if __name__ == "__main__":
    main()
