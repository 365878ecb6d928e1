"""The couple rules in the rulebook's document (`closeness rules report`, /rules) and in `rules diff`:
each joint level in words, its source and its two-person cases."""

import json

from schemas.couple_rules import Both, Either, Fact
from schemas.model import All, Always, Answer, Any
from service.audit.sentences import BASIS_WORDS, condition_sentence
from service.core.rulebook import Rulebook

FACT_WORDS = {
    ("result", "recommendation"): "their own result's recommendation",
    (
        "result",
        "safety_signal",
    ): "their own answers hold a safety signal (an urgent or noted concern, or a declined safety question)",
    ("history", "signal_before"): "an earlier answer of theirs (withdrawn or voided) held a safety signal",
    ("history", "withdrew"): "they withdrew their answers",
}


def _partner(node, depth: int) -> str:
    indent = "  " * depth
    match node:
        case Answer():
            return condition_sentence(node, {}, depth)
        case Fact(namespace=namespace, name=name, operator=operator, value=value):
            words = FACT_WORDS[(namespace, name)]
            if value is True and operator == "is":
                return words
            verb = {"is": "is", "is_not": "is not", "in": "is one of"}[operator]
            shown = ", ".join(map(str, node.values)) if operator == "in" else str(value)
            return f"{words} {verb} {shown}"
        case All(items=items) | Any(items=items):
            head = "all of these hold:" if isinstance(node, All) else "at least one of these holds:"
            return head + "".join(f"\n{indent}  - {_partner(item, depth + 1)}" for item in items)
    raise TypeError(f"not a partner condition: {node!r}")


def pair_sentence(node, depth: int = 0) -> str:
    """A pair condition in words."""
    indent = "  " * depth
    match node:
        case Always():
            return "always (when no level before it holds)"
        case Both(partner=partner):
            return f"for both partners, {_partner(partner, depth)}"
        case Either(partner=partner):
            return f"for either partner, {_partner(partner, depth)}"
        case All(items=items) | Any(items=items):
            head = "all of these hold:" if isinstance(node, All) else "at least one of these holds:"
            return head + "".join(f"\n{indent}  - {pair_sentence(item, depth + 1)}" for item in items)
    raise TypeError(f"not a pair condition: {node!r}")


def _case_line(case, baseline: dict) -> str:
    def changed(answers: dict) -> str:
        return (
            ", ".join(f"{k} = {json.dumps(v)}" for k, v in answers.items() if baseline.get(k) != v) or "calm"
        )

    history = "".join(f"; {key}: partner {role}" for key, role in case.history.items())
    return f"{case.name}: A {changed(case.a)}; B {changed(case.b)}{history} → {case.level}"


def couple_blocks(rulebook: Rulebook, block, source, article_base) -> list:
    """The couple rules as report blocks (Block and the source link maker are the report's own)."""
    couple = rulebook.couple
    if couple is None:
        return []
    blocks = [
        block("heading", "Couple mode: the joint view", 2, "couple-mode"),
        block(
            "para",
            [
                "Each partner answers alone and gets their own result. The practice's joint view takes "
                "the first level below that holds. The first is the safety gate: with any safety signal in "
                "either partner, now or before, or a withdrawal, there is no comparison and no joint step. "
                f"Every joint view says: {couple.words.notice}"
            ],
        ),
    ]
    for level in couple.levels:
        blocks.append(block("heading", f"{level.title} ({level.level})", 3, f"couple-{level.id}"))
        blocks.append(
            block(
                "rule",
                {
                    "When": pair_sentence(level.when),
                    "Then": f"the joint view is “{level.title}”"
                    + (", with joint steps" if level.steps else ""),
                    "Says": level.text,
                    "Why": level.explanation,
                    "Source": source(level.section, article_base),
                    "Basis": BASIS_WORDS[level.basis],
                    "Cases": "\n".join(
                        f"  - {_case_line(case, rulebook.case_baseline)}" for case in couple.cases[level.id]
                    ),
                },
            )
        )
    return blocks
