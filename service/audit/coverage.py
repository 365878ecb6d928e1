"""Coverage of the rulebook by its own cases: does a case make each entry fire and stay silent, and
does some case exercise every branch of every condition?

An `any` alternative is exercised by a case in which it holds; an `all` member by a case in which it
alone fails (so the case shows the member matters); a counted condition by a case in which it holds.
Every case of the rulebook counts for every entry, as a test suite's lines count for every file.
"""

from dataclasses import dataclass

from schemas.model import All, Any, Condition
from service.core.explain import held
from service.core.intake import read_answers
from service.core.rulebook import Rulebook


@dataclass(frozen=True)
class Item:
    entry: str
    what: str  # "fires", "silent", or a branch's place in its condition ("when.any.2")
    covered: bool


def branches(node: Condition, path: str):
    """(path, kind, node, siblings) for every any-alternative and all-member below node."""
    match node:
        case All(items=items) | Any(items=items):
            key = "all" if isinstance(node, All) else "any"
            for index, child in enumerate(items):
                yield f"{path}.{key}.{index}", key, child, items
                yield from branches(child, f"{path}.{key}.{index}")


def coverage(rulebook: Rulebook) -> list[Item]:
    entries = rulebook.entries
    facts = [read_answers(case.answers).facts for entry in entries.values() for case in entry.cases]
    items: list[Item] = []

    def holds(node, answers) -> bool:
        return held(node, answers, entries)[0]

    for entry in entries.values():
        items.append(Item(entry.id, "fires", any(case.fires for case in entry.cases)))
        items.append(Item(entry.id, "silent", any(not case.fires for case in entry.cases)))
        for key_path, node in entry.spec.conditions:
            if key_path[0] == "counts":
                covered = any(holds(node, answers) for answers in facts)
                items.append(Item(entry.id, f"counts.{key_path[1]}", covered))
                continue
            for path, kind, child, siblings in branches(node, ".".join(map(str, key_path))):
                if kind == "any":
                    covered = any(holds(child, answers) for answers in facts)
                else:
                    others = [s for s in siblings if s is not child]
                    covered = any(
                        not holds(child, answers) and all(holds(s, answers) for s in others)
                        for answers in facts
                    )
                items.append(Item(entry.id, path, covered))
    return items


def percent(items: list[Item]) -> float:
    return 100.0 * sum(item.covered for item in items) / len(items) if items else 100.0


def report_lines(items: list[Item], everything: bool = False) -> list[str]:
    """One line per entry that misses something (every entry with everything), then the total."""
    lines = []
    by_entry: dict[str, list[Item]] = {}
    for item in items:
        by_entry.setdefault(item.entry, []).append(item)
    for entry, own in by_entry.items():
        missing = [i.what for i in own if not i.covered]
        status = "ok" if not missing else "not covered: " + ", ".join(missing)
        if missing or everything:
            lines.append(f"{entry}: {sum(i.covered for i in own)}/{len(own)} {status}")
    lines.append(f"coverage: {percent(items):.1f}% of {len(items)} items")
    return lines
