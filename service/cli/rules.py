"""`closeness rules check|test|report|diff`: lint, run the cases of, document and compare rulebooks."""

import json
import sys

import click

from service.audit.casefiles import run_cases
from service.audit.couple_cases import couple_coverage, run_couple_cases
from service.audit.coverage import coverage
from service.audit.coverage import percent as coverage_percent
from service.audit.coverage import report_lines as coverage_lines
from service.audit.impact import impact, markdown, replay, report_lines
from service.audit.report import rulebook_blocks, to_html, to_markdown
from service.cli.group import UsageError, chosen_rules, cli, rules_option
from service.core.couple import JointDecider
from service.core.decision import Evaluator
from service.core.exceptions import AnswersInvalid
from service.core.json_input import JsonInputError, parse_json
from service.core.rulebook import load_rulebook
from service.ops.settings import rules_dir, settings


@cli.group("rules", help="Check, test, report or diff rules directories.")
def rules_group():
    pass


def _rulebook(directory: str | None, rules: str | None):
    return load_rulebook(rules_dir(directory or chosen_rules(rules)))


@rules_group.command("check", help="Lint the rule files: prints file:line: message, exit 1 on problems.")
@click.argument("dir", required=False)
@rules_option
def check(dir, rules):  # noqa: A002 - the argument's name in the help
    rulebook = _rulebook(dir, rules)
    counts = {kind: len(rulebook.of_kind(kind)) for kind in ("rule", "outcome", "derived")}
    cases = sum(len(entry.cases) for entry in rulebook.entries.values())
    couple = rulebook.couple
    joint = f", {len(couple.levels)} joint levels" if couple else ""
    cases += sum(len(found) for found in couple.cases.values()) if couple else 0
    click.echo(
        f"ok: {counts['rule']} rules, {counts['outcome']} outcome levels, {counts['derived']} derivations"
        f"{joint}, {cases} cases; version {rulebook.version}, {rulebook.digest}"
    )


@rules_group.command(
    "test", help="Run every case file beside the rules; --coverage reports what they exercise."
)
@click.argument("dir", required=False)
@click.option("--coverage", "show_coverage", is_flag=True, help="report what the cases exercise")
@click.option(
    "--min",
    "min_",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="exit 1 when coverage is under PCT (implies --coverage)",
)
@rules_option
def test(dir, show_coverage, min_, rules):  # noqa: A002
    evaluator = Evaluator(_rulebook(dir, rules))
    decider = JointDecider(evaluator.rulebook) if evaluator.rulebook.couple else None
    outcomes = run_cases(evaluator) + (run_couple_cases(evaluator, decider) if decider else [])
    failed = [o for o in outcomes if not o.passed]
    for outcome in failed:
        for problem in outcome.problems:
            click.echo(f"FAIL {outcome.rule} / {outcome.case}: {problem}")
    click.echo(f"rule cases: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    if not (show_coverage or min_ is not None):
        sys.exit(1 if failed else 0)
    items = coverage(evaluator.rulebook) + (couple_coverage(evaluator, decider) if decider else [])
    click.echo("\n".join(coverage_lines(items, everything=show_coverage)))
    short = min_ is not None and coverage_percent(items) < min_
    if short:
        click.echo(f"coverage {coverage_percent(items):.1f}% is under the required {min_:g}%")
    sys.exit(1 if failed or short else 0)


@rules_group.command("report", help="The rulebook as a readable document (Markdown or HTML).")
@click.argument("dir", required=False)
@click.option("--format", "format_", type=click.Choice(["md", "html"]), default="md")
@rules_option
def report(dir, format_, rules):  # noqa: A002
    blocks = rulebook_blocks(_rulebook(dir, rules), settings()["ARTICLE_BASE_URL"])
    sys.stdout.write(to_html(blocks) if format_ == "html" else to_markdown(blocks))


def jsonl(path: str, option: str) -> list[tuple[int, object]]:
    """(1-based line number, parsed JSON) for every non-empty line; a bad line is a UsageError naming it."""
    out = []
    click.get_current_context().meta["closeness.reading"] = f"{option} {path}"
    with open(path, encoding="utf-8-sig") as lines:
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
    for number, answers in jsonl(path, "--cases"):
        try:
            evaluator.decide(answers)
        except AnswersInvalid as error:
            fields = "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.messages.items())
            problems.append(f"--cases {path} line {number}: {fields}")
            continue
        cases.append((f"line {number}", answers))
    if not cases and not problems:
        raise UsageError(f"--cases {path}: no answer sets in it (one JSON object a line)")
    if problems:
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise UsageError("\n".join(problems[:20]) + more)
    return cases


@rules_group.command("diff", help="What changes between two rules directories; exit 1 if any decision does.")
@click.argument("old")
@click.argument("new")
@click.option("--cases", metavar="FILE.jsonl", help="answer sets to compare on (default: cases + a sample)")
@click.option(
    "--replay",
    "replay_path",
    metavar="EXPORT.jsonl",
    help="decide logged decisions (closeness log export) with OLD and NEW",
)
@click.option("--format", "format_", type=click.Choice(["text", "json", "md"]), default="text")
@click.option("--out", metavar="FILE.jsonl", help="write the changed cases' answers, one set a line")
@click.option("--strict", is_flag=True, help="exit 1 when rules changed but the version did not")
def diff(old, new, cases, replay_path, format_, out, strict):
    # A draft may be incomplete (a rule removed, its cases not yet): compare anyway, and say so.
    if cases and replay_path:
        raise UsageError("give --cases or --replay, not both")
    old, new = load_rulebook(old, strict=False), load_rulebook(new, strict=False)
    for warning in (*old.warnings, *new.warnings):
        click.echo(f"warning: {warning}", err=True)
    if replay_path:
        records = [record for _, record in jsonl(replay_path, "--replay") if isinstance(record, dict)]
        if not records:
            raise UsageError(f"--replay {replay_path}: no decisions in it (closeness log export writes them)")
        result = replay(old, new, records)
        if not result.cases:
            raise UsageError(
                f"--replay {replay_path}: none of its {len(records)} decisions kept its answers "
                "(CLOSENESS_DECISION_LOG_ANSWERS); an export of answer sets is --cases"
            )
    else:
        result = impact(old, new, _case_lines(cases, Evaluator(new)) if cases else None)
    if format_ == "json":
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    elif format_ == "md":
        sys.stdout.write(markdown(result))
    else:
        click.echo("\n".join(report_lines(result)))
    if out:
        with open(out, "w", encoding="utf-8") as written:
            for case in result.changed_cases:  # one answer set a line: `closeness evaluate` takes it as is
                written.write(json.dumps(case.answers, ensure_ascii=False, separators=(",", ":")) + "\n")
    if result.version_unchanged:
        click.echo(f"closeness: rules changed but the version is still {new.version}", err=True)
        if strict:
            sys.exit(1)
    sys.exit(1 if result.changed_cases else 0)
