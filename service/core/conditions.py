"""Typed condition trees (schemas/model.py): their references and their durable_rules JSON.

Walkers take a typed condition and the rulebook's entries (to expand derivations) and are each one
`match` over the node types.
"""

from itertools import combinations

from schemas.model import All, Always, Answer, Any, Condition, Count, Derived

# Every answers fact carries this marker, so matching it is the condition that always holds.
# (Testing "sid exists" instead makes durable_rules hang.)
FACT_MARKER = "_fact"
ALWAYS = {FACT_MARKER: "answers"}
_COMPARISONS = {"is_not": "$neq", "at_least": "$gte", "at_most": "$lte"}


def condition_references(node: Condition) -> list[tuple[str, str, Condition]]:
    """(kind, derivation id, referring node) for every count/derived reference in a condition tree."""
    match node:
        case Count(name=name):
            return [("count", name, node)]
        case Derived(name=name):
            return [("derived", name, node)]
        case All(items=items) | Any(items=items):
            return [ref for child in items for ref in condition_references(child)]
        case _:
            return []


def answer_conditions(node: Condition, entries) -> list[Answer]:
    """Every answer condition in a condition tree, derivations expanded."""
    match node:
        case Answer():
            return [node]
        case All(items=items) | Any(items=items):
            return [found for child in items for found in answer_conditions(child, entries)]
        case Derived(name=name):
            return answer_conditions(entries[name].spec.when, entries)
        case Count(name=name):
            return [found for item in entries[name].spec.counts for found in answer_conditions(item, entries)]
        case _:
            return []


def referenced_answers(node: Condition, entries) -> list[tuple[str, tuple]]:
    """(question id, the option values it names) for every answer condition, derivations expanded."""
    return [
        (leaf.question, tuple(v for v in leaf.values if isinstance(v, str)))
        for leaf in answer_conditions(node, entries)
    ]


def _either(parts: list) -> dict:
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _both(parts: list) -> dict:
    return parts[0] if len(parts) == 1 else {"$and": parts}


def answer_to_durable(node: Answer) -> dict:
    question, value = node.question, node.value
    match node.operator:
        case "is":
            return {question: value}
        case "in":
            return _either([{question: v} for v in value])
        case "includes":
            return {"$iany": {question: {"$i": value}}}
        case "includes_any":
            # An $or of single $iany matches. (One $iany over an $or would fire once instead of once per
            # matching item, but durable_rules then builds the ruleset from uninitialised memory: valgrind
            # shows it, and now and then create_ruleset fails with ERR_UNEXPECTED_TYPE.)
            return _either([{"$iany": {question: {"$i": v}}} for v in value])
        case operator:
            return {_COMPARISONS[operator]: {question: value}}


def to_durable(node: Condition, entries) -> dict:
    """Translate a typed condition tree into a durable_rules expression."""
    match node:
        case Always():
            return ALWAYS
        case Answer():
            return answer_to_durable(node)
        case All(items=items):
            return _both([to_durable(child, entries) for child in items])
        case Any(items=items):
            return _either([to_durable(child, entries) for child in items])
        case Derived(name=name):
            return to_durable(entries[name].spec.when, entries)
        case Count(name=name, at_least=needed):
            return _at_least(needed, entries[name].spec.counts, entries)
    raise TypeError(f"not a condition: {node!r}")


def _at_least(needed: int, counted: tuple, entries) -> dict:
    """At least `needed` of the `counted` conditions hold."""
    if needed > len(counted):
        raise ValueError(f"at_least {needed} exceeds the {len(counted)} conditions counted")
    flags = [c.question for c in counted if isinstance(c, Answer) and c.operator == "is" and c.value is True]
    if len(flags) == len(counted) and len(flags) > 1:
        # Only "<yes/no question> is true" items: durable_rules counts true as 1, so the sum can be
        # compared directly: first >= needed - second - third ... (one match, so the rule fires once).
        bound = needed
        for flag in flags[1:]:
            bound = {"$sub": {"$l": bound, "$r": {"$m": flag}}}
        return {"$gte": {flags[0]: bound}}
    # Otherwise: any group of `needed` conditions that hold together.
    items = [to_durable(item, entries) for item in counted]
    return _either([_both(list(group)) for group in combinations(items, needed)])
