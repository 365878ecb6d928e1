"""`because`: which of a rule's conditions held for this person, in their own answers' words."""

from schemas.model import All, Always, Answer, Any, Condition, Count, Derived, Rule
from schemas.questionnaire import load_questionnaire
from service.core.conditions import answer_conditions


def _leaf(node: Answer, answers) -> tuple[bool, object]:
    """Whether an answer condition holds, and the answer that made it hold (list items: the matches)."""
    if node.question not in answers:
        return False, None
    value, wanted = answers[node.question], node.value
    match node.operator:
        case "is":
            return type(value) is type(wanted) and value == wanted, value
        case "is_not":
            return not (type(value) is type(wanted) and value == wanted), value
        case "in":
            return value in wanted, value
        case "at_least":
            return type(value) is int and value >= wanted, value
        case "at_most":
            return type(value) is int and value <= wanted, value
        case "includes" | "includes_any":
            matched = [item for item in node.values if item in value]
            return bool(matched), matched
    raise ValueError(f"unknown operator {node.operator}")


def held(node: Condition, answers, entries) -> tuple[bool, list[tuple[str, object]]]:
    """Whether a condition holds, and (question, answer) for each answer condition that held in it."""
    match node:
        case Always():
            return True, []
        case Answer():
            holds, value = _leaf(node, answers)
            return holds, [(node.question, value)] if holds else []
        case Derived(name=name):
            return held(entries[name].spec.when, answers, entries)
        case Count(name=name, at_least=needed):
            parts = [held(item, answers, entries) for item in entries[name].spec.counts]
            return sum(ok for ok, _ in parts) >= needed, [pair for ok, pairs in parts if ok for pair in pairs]
        case All(items=items) | Any(items=items):
            parts = [held(child, answers, entries) for child in items]
            holds = all(ok for ok, _ in parts) if isinstance(node, All) else any(ok for ok, _ in parts)
            return holds, [pair for ok, pairs in parts if ok for pair in pairs]
    raise TypeError(f"not a condition: {node!r}")


def because(rule: Rule, answers: dict, entries) -> list[dict]:
    """The answers that made a rule hold, each with its second-person sentence; none for safety."""
    questionnaire = load_questionnaire()
    merged: dict[str, object] = {}
    for question_id, value in held(rule.when, answers, entries)[1]:
        question = questionnaire.question(question_id)
        if question.because is None:  # safety questions are never repeated back
            continue
        if question.type == "multi_choice":
            items = set(merged.get(question_id, [])) | set(value)
            merged[question_id] = [v for v in question.values if v in items]
        else:
            merged[question_id] = value
    # An answer with no sentence (a mood item left at its default "no") is not read back.
    out = []
    for question_id, value in merged.items():
        text = questionnaire.question(question_id).because_text(value)
        if text:
            out.append({"question": question_id, "answer": value, "text": text})
    return out


def because_reads(rule: Rule, entries) -> tuple[tuple[str, frozenset | None], ...]:
    """What `because` reads for a rule: each question its condition reads, with the options that can
    matter when every condition on it asks which of them were chosen (includes, includes_any), else
    None (the whole answer matters). A multiple choice is read back by the options its conditions name."""
    leaves: dict[str, list] = {}
    for leaf in answer_conditions(rule.when, entries):
        leaves.setdefault(leaf.question, []).append(leaf)
    return tuple(
        (
            question,
            frozenset(v for leaf in found for v in leaf.values)
            if all(leaf.operator in ("includes", "includes_any") for leaf in found)
            else None,
        )
        for question, found in leaves.items()
    )


def because_key(rule_id: str, reads: tuple, answers: dict) -> tuple:
    """A key that is equal for two answer sets whenever `because` gives the rule the same answers back."""
    return (
        rule_id,
        *[
            (tuple(value) if type(value) is list else value)
            if named is None or value is None
            else named.intersection(value)
            for question, named in reads
            for value in (answers.get(question),)
        ],
    )
