"""Conditions and effects of the rule files as plain sentences, for people who read the rulebook."""

from schemas.model import (
    All,
    Always,
    Answer,
    Any,
    ConcernEffect,
    Condition,
    Count,
    Derived,
    OutcomeEffect,
    OutcomeLevel,
    Rule,
    StepEffect,
)
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


def _answer(node: Answer) -> str:
    question = load_questionnaire().question(node.question)
    asked = f"“{question.text}”"
    value = node.value
    match node.operator:
        case "is" if question.type in ("boolean", "safety"):
            counted = (
                " (a skipped follow-up counts as yes)" if question.follow_up_of and value is True else ""
            )
            return f"{asked} is answered {_label(question, value)}{counted}"
        case "is":
            return f"the answer to {asked} is {_label(question, value)}"
        case "is_not":
            return f"the answer to {asked} is not {_label(question, value)}"
        case "in":
            return f"the answer to {asked} is " + " or ".join(_label(question, v) for v in value)
        case "at_least":
            return f"the answer to {asked} is {_label(question, value)} or higher"
        case "at_most":
            return f"the answer to {asked} is {_label(question, value)} or lower"
        case "includes":
            return f"{_label(question, value)} is among the answers to {asked}"
        case _:
            labels = ", ".join(_label(question, v) for v in value)
            return f"any of {labels} is among the answers to {asked}"


def condition_sentence(node: Condition, entries, depth: int = 0) -> str:
    """A condition tree in words; nested lists are indented Markdown bullets."""
    indent = "  " * depth

    def listed(items) -> str:
        return "".join(f"\n{indent}  - {condition_sentence(c, entries, depth + 1)}" for c in items)

    match node:
        case Always():
            return "always"
        case Answer():
            return _answer(node)
        case Derived(name=name):
            derivation = entries[name].spec
            inner = condition_sentence(derivation.when, entries, depth)
            return f"{derivation.title.lower()} ({inner})"
        case Count(name=name, at_least=needed):
            derivation = entries[name].spec
            counted = derivation.counts
            title = derivation.title.lower()
            return f"at least {needed} of these {len(counted)} hold ({title}):{listed(counted)}"
        case All(items=items):
            return "all of these hold:" + listed(items)
        case Any(items=items):
            return "at least one of these holds:" + listed(items)
    raise TypeError(f"not a condition: {node!r}")


def _candidate(level: OutcomeLevel) -> str:
    return (
        f"makes “{level.title}” a candidate (recommendation: "
        f"{RECOMMENDATION_WORDS[level.recommendation]}, priority {level.priority})"
    )


def effect_sentence(rule: Rule, entries) -> str:
    match rule.effect:
        case OutcomeEffect(outcome=outcome):
            return _candidate(entries[outcome].spec)
        case StepEffect() as step:
            fallback = ", only when no other step applies" if step.fallback else ""
            alone = " (one a person can take on their own)" if step.on_your_own else ""
            return f"suggests the step “{step.title}”{alone}{fallback}"
        case ConcernEffect() as concern:
            kind = "an urgent" if concern.urgent else "a noted"
            text = f"raises {kind} safety concern, {concern.concern}"
            if concern.unless:
                text += " (not when " + " or ".join(concern.unless) + " is raised)"
            if concern.outcome:
                text += ", and " + _candidate(entries[concern.outcome].spec)
            else:
                text += "; it does not change the outcome level"
            return text
    return "is reported as a reason and changes nothing else"
