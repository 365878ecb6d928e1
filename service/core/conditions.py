"""Condition trees from rule files: their references, and their translation to durable_rules JSON."""

from itertools import combinations

# Every answers fact carries this marker, so matching it is the condition that always holds.
# (Testing "sid exists" instead makes durable_rules hang.)
FACT_MARKER = "_fact"
ALWAYS = {FACT_MARKER: "answers"}
_COMPARISONS = {"is_not": "$neq", "at_least": "$gte", "at_most": "$lte"}


def condition_references(node) -> list[tuple[str, str, dict]]:
    """(kind, derivation id, referring node) for every count/derived reference in a condition tree."""
    if not isinstance(node, dict):
        return []
    if "count" in node:
        return [("count", node["count"], node)]
    if "derived" in node:
        return [("derived", node["derived"], node)]
    children = node.get("all") or node.get("any") or []
    return [ref for child in children for ref in condition_references(child)]


def referenced_answers(node, entries) -> list[tuple[str, tuple]]:
    """(question id, the option values it names) for every answer condition, derivations expanded."""
    found: list[tuple[str, tuple]] = []

    def walk(n):
        if not isinstance(n, dict):
            return
        if "answer" in n:
            values = n.get("includes_any") or n.get("in") or [n.get("includes", n.get("is", n.get("is_not")))]
            found.append((n["answer"], tuple(v for v in values if isinstance(v, str))))
        elif "count" in n:
            for item in entries[n["count"]]["counts"]:
                walk(item)
        elif "derived" in n:
            walk(entries[n["derived"]]["when"])
        for child in n.get("all") or n.get("any") or []:
            walk(child)

    walk(node)
    return found


def _either(parts: list) -> dict:
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _both(parts: list) -> dict:
    return parts[0] if len(parts) == 1 else {"$and": parts}


def _answer(node) -> dict:
    question = node["answer"]
    if "is" in node:
        return {question: node["is"]}
    if "in" in node:
        return _either([{question: value} for value in node["in"]])
    if "includes" in node:
        return {"$iany": {question: {"$i": node["includes"]}}}
    if "includes_any" in node:
        # An $or of single $iany matches. (One $iany over an $or would fire once instead of once per
        # matching item, but durable_rules then builds the ruleset from uninitialised memory: valgrind
        # shows it, and now and then create_ruleset fails with ERR_UNEXPECTED_TYPE.)
        return _either([{"$iany": {question: {"$i": value}}} for value in node["includes_any"]])
    for key, operator in _COMPARISONS.items():
        if key in node:
            return {operator: {question: node[key]}}
    raise ValueError("condition has no operator")


def to_durable(node, entries) -> dict:
    """Translate a checked condition tree into a durable_rules expression."""
    if "always" in node:
        return ALWAYS
    if "answer" in node:
        return _answer(node)
    if "all" in node:
        return _both([to_durable(child, entries) for child in node["all"]])
    if "any" in node:
        return _either([to_durable(child, entries) for child in node["any"]])
    if "derived" in node:
        return to_durable(entries[node["derived"]]["when"], entries)
    return _at_least(node["at_least"], entries[node["count"]]["counts"], entries)


def _at_least(needed: int, counted: list, entries) -> dict:
    """At least `needed` of the `counted` conditions hold."""
    if needed > len(counted):
        raise ValueError(f"at_least {needed} exceeds the {len(counted)} conditions counted")
    flags = [item["answer"] for item in counted if item.get("is") is True]
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
