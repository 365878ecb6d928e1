"""Conditions and effects of the rule files as plain sentences, for people who read the rulebook."""

from schemas.questionnaire import load_questionnaire

RECOMMENDATION_WORDS = {
    "rebuild": "rebuild closeness together",
    "professional_help": "get professional help",
    "consider_walking_away": "consider walking away",
}


BASIS_WORDS = {
    "article": "the article",
    "safety-guidance": "standard safety practice, not the article",
}


def _label(question, value) -> str:
    if question.type == "boolean":
        return "yes" if value else "no"
    if question.type == "safety":
        return "“I'd rather not say”" if value == "declined" else "yes" if value else "no"
    if question.type == "integer":
        return f"{value} ({question.labels[value].lower()})"
    return next(f"“{o.label}”" for o in question.options if o.value == value)


def _answer(node) -> str:
    question = load_questionnaire().question(node["answer"])
    asked = f"“{question.text}”"
    counted = (
        " (a skipped follow-up counts as yes)" if question.follow_up_of and node.get("is") is True else ""
    )
    if "is" in node and question.type in ("boolean", "safety"):
        return f"{asked} is answered {_label(question, node['is'])}{counted}"
    if "is" in node:
        return f"the answer to {asked} is {_label(question, node['is'])}"
    if "is_not" in node:
        return f"the answer to {asked} is not {_label(question, node['is_not'])}"
    if "in" in node:
        return f"the answer to {asked} is " + " or ".join(_label(question, v) for v in node["in"])
    if "at_least" in node:
        return f"the answer to {asked} is {_label(question, node['at_least'])} or higher"
    if "at_most" in node:
        return f"the answer to {asked} is {_label(question, node['at_most'])} or lower"
    if "includes" in node:
        return f"{_label(question, node['includes'])} is among the answers to {asked}"
    labels = ", ".join(_label(question, v) for v in node["includes_any"])
    return f"any of {labels} is among the answers to {asked}"


def condition_sentence(node, entries, depth: int = 0) -> str:
    """A condition tree in words; nested lists are indented Markdown bullets."""
    indent = "  " * depth
    if "always" in node:
        return "always"
    if "answer" in node:
        return _answer(node)
    if "derived" in node:
        derivation = entries[node["derived"]]
        return f"{derivation['title'].lower()} ({condition_sentence(derivation['when'], entries, depth)})"
    if "count" in node:
        derivation = entries[node["count"]]
        items = "".join(
            f"\n{indent}  - {condition_sentence(c, entries, depth + 1)}" for c in derivation["counts"]
        )
        size, name = len(derivation["counts"]), derivation["title"].lower()
        return f"at least {node['at_least']} of these {size} hold ({name}):{items}"
    key = "all" if "all" in node else "any"
    lead = "all of these hold:" if key == "all" else "at least one of these holds:"
    return lead + "".join(f"\n{indent}  - {condition_sentence(c, entries, depth + 1)}" for c in node[key])


def _candidate(level) -> str:
    return (
        f"makes “{level['title']}” a candidate (recommendation: "
        f"{RECOMMENDATION_WORDS[level['recommendation']]}, priority {level['priority']})"
    )


def effect_sentence(entry, entries) -> str:
    effect = entry["effect"]
    if effect["kind"] == "outcome":
        return _candidate(entries[effect["outcome"]])
    if effect["kind"] == "step":
        fallback = ", only when no other step applies" if effect.get("fallback") else ""
        alone = " (one a person can take on their own)" if effect.get("on_your_own") else ""
        return f"suggests the step “{effect['title']}”{alone}{fallback}"
    if effect["kind"] == "concern":
        kind = "an urgent" if effect["urgent"] else "a noted"
        text = f"raises {kind} safety concern, {effect['concern']}"
        if effect.get("unless"):
            text += " (not when " + " or ".join(effect["unless"]) + " is raised)"
        if effect.get("outcome"):
            text += ", and " + _candidate(entries[effect["outcome"]])
        else:
            text += "; it does not change the outcome level"
        return text
    return "is reported as a reason and changes nothing else"
