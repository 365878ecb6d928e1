"""`because`: which of a rule's conditions held for this person, in their own answers' words."""

from schemas.questionnaire import load_questionnaire


def _leaf(node, answers) -> tuple[bool, object]:
    """Whether an answer condition holds, and the answer that made it hold (list items: the matches)."""
    question = node["answer"]
    if question not in answers:
        return False, None
    value = answers[question]
    if "is" in node:
        return type(value) is type(node["is"]) and value == node["is"], value
    if "is_not" in node:
        return not (type(value) is type(node["is_not"]) and value == node["is_not"]), value
    if "in" in node:
        return value in node["in"], value
    if "at_least" in node:
        return type(value) is int and value >= node["at_least"], value
    if "at_most" in node:
        return type(value) is int and value <= node["at_most"], value
    wanted = [node["includes"]] if "includes" in node else node["includes_any"]
    matched = [item for item in wanted if item in value]
    return bool(matched), matched


def held(node, answers, entries) -> tuple[bool, list[tuple[str, object]]]:
    """Whether a condition holds, and (question, answer) for each answer condition that held in it."""
    if "always" in node:
        return True, []
    if "answer" in node:
        holds, value = _leaf(node, answers)
        return holds, [(node["answer"], value)] if holds else []
    if "derived" in node:
        return held(entries[node["derived"]]["when"], answers, entries)
    if "count" in node:
        parts = [held(item, answers, entries) for item in entries[node["count"]]["counts"]]
        found = [pair for ok, pairs in parts if ok for pair in pairs]
        return sum(ok for ok, _ in parts) >= node["at_least"], found
    parts = [held(child, answers, entries) for child in node.get("all") or node["any"]]
    holds = all(ok for ok, _ in parts) if "all" in node else any(ok for ok, _ in parts)
    return holds, [pair for ok, pairs in parts if ok for pair in pairs]


def because(entry, answers: dict, entries) -> list[dict]:
    """The answers that made a rule hold, each with its second-person sentence; none for safety."""
    if "when" not in entry.data:
        return []
    questionnaire = load_questionnaire()
    merged: dict[str, object] = {}
    for question_id, value in held(entry["when"], answers, entries)[1]:
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
