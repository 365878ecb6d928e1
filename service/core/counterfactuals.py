"""What a suggestion depends on (shared/spec/what-would-change.md): the smallest sets of allowed
changes to a person's answers that lead the rulebook to a less severe recommendation.

Exhaustive, so the minimum is guaranteed: every set of at most three changes is tried, smallest
first, each decided by running the rulebook itself (the engine and the resolver) on the changed
answers. What may change, and the words for each change, come from the questionnaire file
(`change`); every other answer is locked.
"""

from dataclasses import dataclass
from itertools import combinations, product

from schemas.questionnaire import load_questionnaire
from service.core.result import AnswerChange, WouldChange

SEVERITY = {"rebuild": 0, "professional_help": 1, "consider_walking_away": 2}
MOST_CHANGES = 3  # beyond this, nothing is listed for a target
LISTED = 3  # sets listed per target


@dataclass(frozen=True)
class Slot:
    """One answer that may change: a question (a scale, a choice or a yes/no), or one chosen item of
    a list to remove. `position` orders sets as the contract does (questionnaire order)."""

    question: str
    position: tuple[int, int]
    values: tuple  # the new values it may take (a removal: the list without the item)
    item: str | None = None


def slots(answers: dict) -> list[Slot]:
    """Every change these answers allow, in questionnaire order."""
    found = []
    for index, question in enumerate(load_questionnaire().changeable):
        change, current = question.change, answers.get(question.id, question.default)
        if change.to == "remove":
            for rank, option in enumerate(question.options):
                if option.value in (current or []) and option.value not in change.keep:
                    rest = tuple(v for v in current if v != option.value)
                    found.append(Slot(question.id, (index, rank), (rest,), option.value))
        elif change.to == "any":
            values = tuple(v for v in range(question.minimum, question.maximum + 1) if v != current)
            found.append(Slot(question.id, (index, 0), values))
        else:
            values = tuple(v for v in change.to if not (type(v) is type(current) and v == current))
            if values:
                found.append(Slot(question.id, (index, 0), values))
    return found


def _closeness(slot: Slot, value, answers: dict) -> tuple:
    """How far a new scale value is from the answer (ties: fewer walls, more time to listen)."""
    question = load_questionnaire().question(slot.question)
    if question.change.to != "any":
        return (0, 0)
    distance = abs(value - answers[slot.question])
    return (distance, value if slot.question == "walls_when_close" else -value)


class Search:
    """The minimal change sets for one answer set, decided by `decide(changed) -> (recommendation,
    title)`: the rulebook run on the answers with those changed."""

    def __init__(self, answers: dict, decide, recommendation: str):
        self.answers, self.decide = answers, decide
        self.targets = [
            r
            for r, level in sorted(SEVERITY.items(), key=lambda kv: -kv[1])
            if level < SEVERITY[recommendation]
        ]
        self._seen: dict[tuple, str] = {}

    def outcome(self, changed: dict) -> tuple[str, str]:
        key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in changed.items()))
        if key not in self._seen:
            self._seen[key] = self.decide(changed)
        return self._seen[key]

    def _reaching(self, chosen: tuple[Slot, ...], target: str) -> dict | None:
        """The values for a set that reach the target: scales closest to the answers, partner_willing
        the first of its values that reaches; None when no choice reaches it."""
        lists = {}  # several removals from one list act together
        for slot in chosen:
            if slot.item is not None:
                lists.setdefault(slot.question, set()).add(slot.item)
        fixed = {q: [v for v in self.answers.get(q, []) if v not in items] for q, items in lists.items()}
        free = [slot for slot in chosen if slot.item is None]
        ordered = []
        for values in product(*(slot.values for slot in free)):
            rank = tuple(
                _closeness(slot, value, self.answers) for slot, value in zip(free, values, strict=True)
            )
            willing = [free.index(s) for s in free if s.question == "partner_willing"]
            first = tuple(free[i].values.index(values[i]) for i in willing)
            ordered.append(((first, sum(r[0] for r in rank), tuple(r[1] for r in rank)), values))
        for _, values in sorted(ordered, key=lambda pair: pair[0]):
            changed = {**fixed, **{slot.question: value for slot, value in zip(free, values, strict=True)}}
            if self.outcome(changed)[0] == target:
                return changed
        return None

    def run(self) -> list[tuple[str, tuple[Slot, ...], dict]]:
        """(target, set, changed answers) for each listed set: targets nearest first, then each
        target's sets in the contract's order."""
        available = slots(self.answers)
        found: dict[str, list] = {target: [] for target in self.targets}
        done: set[str] = set()
        for size in range(1, MOST_CHANGES + 1):
            for chosen in combinations(available, size):  # in order of their sorted positions
                for target in self.targets:
                    if target in done or len(found[target]) >= LISTED:
                        continue
                    changed = self._reaching(chosen, target)
                    if changed is not None:
                        found[target].append((chosen, changed))
            done |= {target for target in self.targets if found[target]}
            if len(done) == len(self.targets):
                break
        return [(target, chosen, changed) for target in self.targets for chosen, changed in found[target]]


def change_words(slot: Slot, answers: dict, changed: dict) -> AnswerChange:
    """One change (question, from, to, text), in the questionnaire's words."""
    question = load_questionnaire().question(slot.question)
    if slot.item is not None:
        label = next(o.label for o in question.options if o.value == slot.item)
        return AnswerChange(slot.question, slot.item, None, question.change.words(item_label=label))
    new = changed[slot.question]
    return AnswerChange(
        slot.question, answers.get(slot.question, question.default), new, question.change.words(new)
    )


def would_change(answers: dict, recommendation: str, decide) -> tuple[WouldChange, ...]:
    """The contract's `would_change` for answers that allow it: one entry per listed set."""
    search = Search(answers, decide, recommendation)
    return tuple(
        WouldChange(
            target,
            search.outcome(changed)[1],
            tuple(change_words(slot, answers, changed) for slot in chosen),
        )
        for target, chosen, changed in search.run()
    )
