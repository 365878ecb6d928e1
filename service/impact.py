"""What a rule change would do: rules added, removed and changed, and the cases whose outcome changes."""

import random
from dataclasses import dataclass, field

from service.decision import Evaluator
from service.exceptions import AnswersInvalid
from service.rulebook import Rulebook
from service.samples import random_answers

SAMPLE_SIZE, SAMPLE_SEED = 5000, 20261128


def _flatten(data, prefix=()) -> dict:
    if isinstance(data, dict):
        return {k: v for key, value in data.items() for k, v in _flatten(value, prefix + (str(key),)).items()}
    if isinstance(data, list):
        return {k: v for i, value in enumerate(data) for k, v in _flatten(value, prefix + (str(i),)).items()}
    return {".".join(prefix): data}


def rule_changes(old: Rulebook, new: Rulebook) -> dict:
    """Ids added and removed, and for changed entries each changed field as (old, new)."""
    changed = {}
    for entry_id in sorted(set(old.entries) & set(new.entries)):
        before, after = _flatten(old.entries[entry_id].data), _flatten(new.entries[entry_id].data)
        fields = {
            key: (before.get(key), after.get(key))
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        }
        if fields:
            changed[entry_id] = fields
    return {
        "added": sorted(set(new.entries) - set(old.entries)),
        "removed": sorted(set(old.entries) - set(new.entries)),
        "changed": changed,
    }


def sample_cases(rulebooks: list[Rulebook]) -> list[dict]:
    """Every rule case of both rulebooks, then a seeded sample over all answers (all types and values)."""
    cases, seen = [], set()

    def add(answers):
        key = repr(sorted(answers.items()))
        if key not in seen:
            seen.add(key)
            cases.append(answers)

    for rulebook in rulebooks:
        for entry in rulebook.entries.values():
            for case in entry.cases:
                add(dict(case["answers"]))
    rng = random.Random(SAMPLE_SEED)
    for _ in range(SAMPLE_SIZE):
        add(random_answers(rng))
    return cases


def decision_of(result: dict) -> dict:
    """What a decision is, for comparing two: recommendation, urgency, safety, steps, also_consider."""
    return {
        "recommendation": result["recommendation"],
        "urgent": result["urgent"],
        "safety": result["safety"],
        "steps": [s["id"] for s in result["steps"]],
        "also_consider": [a["recommendation"] for a in result["also_consider"]],
    }


def _decide(evaluator: Evaluator, answers: dict) -> dict:
    try:
        return decision_of(evaluator.assess(answers))
    except AnswersInvalid:
        return {"invalid": True}


@dataclass
class Impact:
    changes: dict
    cases: int
    changed_cases: list = field(default_factory=list)  # (index, answers, old decision, new decision)

    def counts(self) -> dict:
        return {
            key: sum(1 for _, _, old, new in self.changed_cases if old.get(key) != new.get(key))
            for key in ("recommendation", "urgent", "safety", "steps", "also_consider")
        }


def impact(old: Rulebook, new: Rulebook, cases: list[dict] | None = None) -> Impact:
    """Compare two rulebooks on a case set (default: sample_cases)."""
    cases = cases if cases is not None else sample_cases([old, new])
    before, after = Evaluator(old), Evaluator(new)
    result = Impact(rule_changes(old, new), len(cases))
    for index, answers in enumerate(cases):
        old_decision, new_decision = _decide(before, answers), _decide(after, answers)
        if old_decision != new_decision:
            result.changed_cases.append((index, answers, old_decision, new_decision))
    return result


def report_lines(result: Impact, old: Rulebook, new: Rulebook, shown: int = 20) -> list[str]:
    changes = result.changes
    lines = [f"old: version {old.version}, {old.digest}", f"new: version {new.version}, {new.digest}", ""]
    lines += [f"added: {entry}" for entry in changes["added"]]
    lines += [f"removed: {entry}" for entry in changes["removed"]]
    for entry, fields in changes["changed"].items():
        lines += [
            f"changed: {entry}: {key}: {before!r} -> {after!r}" for key, (before, after) in fields.items()
        ]
    if not any(changes.values()):
        lines.append("no rule changed")
    counts = result.counts()
    lines += [
        "",
        f"cases evaluated: {result.cases}; outcome changed: {len(result.changed_cases)} "
        f"(recommendation {counts['recommendation']}, urgency {counts['urgent']}, safety {counts['safety']}, "
        f"steps {counts['steps']}, "
        f"also_consider {counts['also_consider']})",
    ]
    for index, _answers, before, after in result.changed_cases[:shown]:
        moved = {
            k: f"{before.get(k)} -> {after.get(k)}" for k in before | after if before.get(k) != after.get(k)
        }
        lines.append(f"  case {index}: {moved}")
    if len(result.changed_cases) > shown:
        lines.append(f"  ... and {len(result.changed_cases) - shown} more")
    return lines
