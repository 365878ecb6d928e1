"""What a rule change would do: rules added, removed and changed, and the cases whose decision changes.

Cases are answer sets with a source: a rule's case (`rule/case`), a 1-based line of a cases file,
a decision of the log (replayed), or the seeded sample. Reports come as text, JSON or Markdown.
"""

import json
import random
from dataclasses import dataclass, field

from service.core.decision import Evaluator
from service.core.exceptions import AnswersInvalid
from service.core.result import Result
from service.core.rulebook import Rulebook
from service.core.samples import random_answers

SAMPLE_SIZE, SAMPLE_SEED = 5000, 20261128
DECISION_KEYS = ("recommendation", "urgent", "safety", "steps", "also_consider")


def _flatten(data, prefix=()) -> dict:
    if isinstance(data, dict):
        return {k: v for key, value in data.items() for k, v in _flatten(value, prefix + (str(key),)).items()}
    if isinstance(data, list):
        return {k: v for i, value in enumerate(data) for k, v in _flatten(value, prefix + (str(i),)).items()}
    return {".".join(prefix): data}


def field_changes(before: dict, after: dict) -> dict:
    """For each id in both, its changed fields (flattened key paths) as (old, new)."""
    changed = {}
    for entry_id in sorted(set(before) & set(after)):
        old_fields, new_fields = _flatten(before[entry_id]), _flatten(after[entry_id])
        fields = {
            key: (old_fields.get(key), new_fields.get(key))
            for key in sorted(set(old_fields) | set(new_fields))
            if old_fields.get(key) != new_fields.get(key)
        }
        if fields:
            changed[entry_id] = fields
    return changed


def couple_changes(old: Rulebook, new: Rulebook) -> dict:
    """Couple rule ids added, removed and changed (field by field), as `couple/<id>`."""

    def sources(rulebook: Rulebook) -> dict:
        couple = rulebook.couple
        if couple is None:
            return {}
        return {
            f"couple/{key}": value
            for key, value in {**couple.source["levels"], "joint-words": couple.words.source}.items()
        }

    before, after = sources(old), sources(new)
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": field_changes(before, after),
    }


def rule_changes(old: Rulebook, new: Rulebook) -> dict:
    """Ids added and removed, and for changed entries each changed field as (old, new)."""
    changed = field_changes(
        {entry_id: entry.spec.source for entry_id, entry in old.entries.items()},
        {entry_id: entry.spec.source for entry_id, entry in new.entries.items()},
    )
    couple = couple_changes(old, new)
    return {
        "added": sorted(set(new.entries) - set(old.entries)) + couple["added"],
        "removed": sorted(set(old.entries) - set(new.entries)) + couple["removed"],
        "changed": {**changed, **couple["changed"]},
    }


def sample_cases(rulebooks: list[Rulebook]) -> list[tuple[str, dict]]:
    """(source, answers): every rule case of both rulebooks, then a seeded sample over all answers."""
    cases, seen = [], set()

    def add(source, answers):
        key = repr(sorted(answers.items()))
        if key not in seen:
            seen.add(key)
            cases.append((source, answers))

    for rulebook in rulebooks:
        for entry in rulebook.entries.values():
            for case in entry.cases:
                add(f"case {entry.id}/{case.name}", dict(case.answers))
    rng = random.Random(SAMPLE_SEED)
    for index in range(SAMPLE_SIZE):
        add(f"sample {index + 1}", random_answers(rng))
    return cases


def decision_of(result: Result) -> dict:
    """What a decision is, for comparing two: recommendation, urgency, safety, steps, also_consider."""
    safety = result.safety
    return {
        "recommendation": result.recommendation,
        "urgent": result.urgent,
        "safety": {
            "urgent": list(safety.urgent),
            "noted": list(safety.noted),
            "declined": list(safety.declined),
        },
        "steps": [s.id for s in result.steps],
        "also_consider": [a.recommendation for a in result.also_consider],
    }


def _decide(evaluator: Evaluator, answers: dict) -> tuple[dict, list[str]]:
    """The decision and the rules that fired for it (an invalid answer set decides nothing)."""
    try:
        assessment = evaluator.decide(answers)
    except AnswersInvalid:
        return {"invalid": True}, []
    return decision_of(assessment.result), sorted(assessment.fired)


@dataclass
class Changed:
    source: str
    answers: dict
    old: dict
    new: dict
    only_old: list  # rules that fired before, not after: what made the difference
    only_new: list  # rules that fired after, not before

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "answers": self.answers,
            "old": self.old,
            "new": self.new,
            "rules": {"only_old": self.only_old, "only_new": self.only_new},
        }


@dataclass
class Impact:
    old: dict  # {version, digest}
    new: dict
    changes: dict
    cases: int
    changed_cases: list = field(default_factory=list)
    skipped: int = 0  # replayed decisions without answers

    @property
    def version_unchanged(self) -> bool:
        """Rules changed, but the version did not: a reviewer should ask for a new one."""
        return any(self.changes.values()) and self.old["version"] == self.new["version"]

    def counts(self) -> dict:
        return {
            key: sum(1 for case in self.changed_cases if case.old.get(key) != case.new.get(key))
            for key in DECISION_KEYS
        }

    def as_json(self) -> dict:
        changes = {
            **self.changes,
            "changed": {k: {f: list(v) for f, v in fs.items()} for k, fs in self.changes["changed"].items()},
        }
        return {
            "old": self.old,
            "new": self.new,
            "rules": changes,
            "version_unchanged": self.version_unchanged,
            "cases": self.cases,
            "skipped": self.skipped,
            "counts": self.counts(),
            "changed": [case.as_json() for case in self.changed_cases],
        }


def impact(old: Rulebook, new: Rulebook, cases: list[tuple[str, dict]] | None = None) -> Impact:
    """Compare two rulebooks on a case set (default: sample_cases)."""
    cases = cases if cases is not None else sample_cases([old, new])
    before, after = Evaluator(old), Evaluator(new)
    result = Impact(old.ref, new.ref, rule_changes(old, new), len(cases))
    for source, answers in cases:
        (old_decision, old_rules), (new_decision, new_rules) = (
            _decide(before, answers),
            _decide(after, answers),
        )
        if old_decision != new_decision:
            only_old = [r for r in old_rules if r not in new_rules]
            only_new = [r for r in new_rules if r not in old_rules]
            result.changed_cases.append(
                Changed(source, answers, old_decision, new_decision, only_old, only_new)
            )
    return result


def replay(old: Rulebook, new: Rulebook, records: list[dict]) -> Impact:
    """Decide logged decisions' answers with both rulebooks: the same report a plain diff gives on
    those answers (rule changes, every changed decision, steps and also_consider included).

    Only records that kept their answers (CLOSENESS_DECISION_LOG_ANSWERS) can be replayed; the rest
    are counted as skipped.
    """
    cases = [(f"decision {r.get('id')}", r["answers"]) for r in records if isinstance(r.get("answers"), dict)]
    result = impact(old, new, cases)
    result.skipped = len(records) - len(cases)
    return result


def _moved(case: Changed) -> dict:
    return {
        k: [case.old.get(k), case.new.get(k)] for k in DECISION_KEYS if case.old.get(k) != case.new.get(k)
    }


def _compact(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))


def report_lines(result: Impact, shown: int = 20) -> list[str]:
    """The report as plain text (the default format)."""
    changes = result.changes
    lines = [
        f"old: version {result.old['version']}, {result.old['digest']}",
        f"new: version {result.new['version']}, {result.new['digest']}",
        "",
    ]
    lines += [f"added: {entry}" for entry in changes["added"]]
    lines += [f"removed: {entry}" for entry in changes["removed"]]
    for entry, fields in changes["changed"].items():
        lines += [
            f"changed: {entry}: {key}: {_compact(before)} -> {_compact(after)}"
            for key, (before, after) in fields.items()
        ]
    if not any(changes.values()):
        lines.append("no rule changed")
    if result.version_unchanged:
        lines.append(f"warning: rules changed but the version is still {result.new['version']}: bump it")
    counts = result.counts()
    skipped = f"; skipped (no answers kept): {result.skipped}" if result.skipped else ""
    lines += [
        "",
        f"cases evaluated: {result.cases}; outcome changed: {len(result.changed_cases)} "
        f"(recommendation {counts['recommendation']}, urgency {counts['urgent']}, safety {counts['safety']}, "
        f"steps {counts['steps']}, also_consider {counts['also_consider']}){skipped}",
    ]
    for case in result.changed_cases[:shown]:
        lines.append(f"  {case.source}: {_compact(_moved(case))}")
        lines.append(
            f"    rules: only before {_compact(case.only_old)}, only after {_compact(case.only_new)}"
        )
        lines.append(f"    answers: {_compact(case.answers)}")
    if len(result.changed_cases) > shown:
        lines.append(f"  ... and {len(result.changed_cases) - shown} more (--format json or --out lists all)")
    return lines


def markdown(result: Impact, shown: int = 50) -> str:
    """The report as Markdown, for a review pipeline's comment."""
    data = result.as_json()
    lines = [f"## Rulebook change: {data['old']['version']} → {data['new']['version']}", ""]
    if result.version_unchanged:
        lines += [f"**Warning:** rules changed but the version is still {result.new['version']}.", ""]
    lines += [f"- added: `{e}`" for e in data["rules"]["added"]]
    lines += [f"- removed: `{e}`" for e in data["rules"]["removed"]]
    for entry, fields in data["rules"]["changed"].items():
        lines += [
            f"- changed: `{entry}` `{key}`: `{_compact(old)}` → `{_compact(new)}`"
            for key, (old, new) in fields.items()
        ]
    lines += ["", f"{len(result.changed_cases)} of {result.cases} cases change their decision.", ""]
    if result.changed_cases:
        lines += [
            "| case | what changes (before → after) | rules only before | rules only after |",
            "|---|---|---|---|",
        ]
        for case in result.changed_cases[:shown]:
            moved = "; ".join(f"{k}: {_compact(v[0])} → {_compact(v[1])}" for k, v in _moved(case).items())
            lines.append(
                f"| {case.source} | {moved} | {', '.join(case.only_old)} | {', '.join(case.only_new)} |"
            )
        if len(result.changed_cases) > shown:
            lines.append(
                f"\n… and {len(result.changed_cases) - shown} more; `--out FILE.jsonl` writes them all."
            )
    return "\n".join(lines) + "\n"
