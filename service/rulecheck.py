"""Checks across the rulebook's files, and the problems they report (each with file and line)."""

from dataclasses import dataclass
from pathlib import Path

from schemas.questionnaire import article_sections
from service.conditions import condition_references
from service.exceptions import ClosenessError


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class RulebookError(ClosenessError):
    """A rules directory that cannot be used; carries every problem found, each with file and line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def cross_check(entries: dict, lines: dict) -> list[Problem]:
    """Problems between files: citations, references, outcome levels, cycles."""
    sections = article_sections()
    problems = []

    def problem(entry, key_path, message):
        problems.append(Problem(entry.path, lines[entry.id].line(key_path), message))

    for entry in entries.values():
        if entry["section"] not in sections:
            problem(entry, ("section",), "section: not a section id of the article")
        conditions = [("when",)] if "when" in entry.data else []
        conditions += [("counts", i) for i in range(len(entry.get("counts") or []))]
        for key_path in conditions:
            node = entry.data
            for key in key_path:
                node = node[key]
            for ref_kind, ref, ref_node in condition_references(node):
                target = entries.get(ref)
                wanted = "counts" if ref_kind == "count" else "when"
                if target is None or target.kind != "derived" or wanted not in target.data:
                    kind = "a counting" if ref_kind == "count" else "a yes/no"
                    problem(entry, key_path, f"{ref_kind}: '{ref}' is not {kind} derivation in this rulebook")
                elif ref_kind == "count" and ref_node["at_least"] > len(target["counts"]):
                    size = len(target["counts"])
                    problem(entry, key_path, f"at_least: '{ref}' counts only {size} conditions")
        effect = entry.get("effect") or {}
        if effect.get("kind") == "outcome":
            target = entries.get(effect["outcome"])
            if target is None or target.kind != "outcome":
                problem(entry, ("effect", "outcome"), "effect.outcome: not an outcome level in this rulebook")
        if effect.get("kind") == "step" and effect["step"] not in sections:
            problem(entry, ("effect", "step"), "effect.step: not a section id of the article")
    outcomes = [e for e in entries.values() if e.kind == "outcome"]
    priorities: dict[int, str] = {}
    for entry in outcomes:
        if entry["priority"] in priorities:
            problem(entry, ("priority",), f"priority: already used by '{priorities[entry['priority']]}'")
        priorities[entry["priority"]] = entry.id
    fallbacks = [e for e in outcomes if e["fallback"]]
    if outcomes and len(fallbacks) != 1:
        problem(outcomes[0], ("fallback",), "exactly one outcome level must be the fallback")
    return problems + _cycles(entries, lines)


def _cycles(entries, lines) -> list[Problem]:
    def refs(entry):
        nodes = [entry.data["when"]] if "when" in entry.data else list(entry.get("counts") or [])
        return {ref for node in nodes for _, ref, _ in condition_references(node) if ref in entries}

    problems, done = [], set()

    def visit(entry_id, trail):
        if entry_id in trail:
            entry = entries[entry_id]
            chain = " -> ".join(trail[trail.index(entry_id) :] + [entry_id])
            problems.append(
                Problem(entry.path, lines[entry_id].line(("when",)), f"circular derivation: {chain}")
            )
            return
        if entry_id in done:
            return
        for ref in sorted(refs(entries[entry_id])):
            visit(ref, trail + [entry_id])
        done.add(entry_id)

    for entry_id in sorted(entries):
        visit(entry_id, [])
    return problems
