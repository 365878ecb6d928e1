"""An independent plain-Python transcription of shared/spec/couple-mode.md's gate, joint levels,
perception gaps and joint steps, over tests/policy.py's transcription of the individual policy.

Written from the spec, not from rules/couple/, so the differential test compares two readings."""

import random

from tests.policy import (
    BASE_SAFETY,
    FOLLOW_UPS,
    QUESTIONS,
    STEP_ORDER,
    _triggered_steps,
    decide,
    with_defaults,
)


def has_signal(decision: dict) -> bool:
    safety = decision["safety"]
    return bool(safety["urgent"] or safety["noted"] or safety["declined"])


def joint(raw_a: dict, raw_b: dict, signal_before=(), withdrew=()) -> dict:
    """{level, gaps: [(seen_by, about, thinks, says)], steps: [(id, for)]} for two valid submissions."""
    d = {"a": decide(raw_a), "b": decide(raw_b)}
    assert d["a"] is not None and d["b"] is not None, "both answer sets must be decidable"
    if signal_before or withdrew or has_signal(d["a"]) or has_signal(d["b"]):
        return {"level": "see_each_alone", "gaps": None, "steps": None}
    ans = {"a": with_defaults(raw_a), "b": with_defaults(raw_b)}
    self_no = [ans[r]["self_willing"] == "no" for r in "ab"]
    recs = [d[r]["recommendation"] for r in "ab"]
    both_mood = [ans[r]["feeling_down"] is True and ans[r]["lost_interest"] is True for r in "ab"]
    if all(self_no):
        level = "both_leaning_out"
    elif any(self_no) or "consider_walking_away" in recs:
        level = "mixed_agenda"
    elif any(both_mood):
        level = "support_first"
    elif any(r != "rebuild" for r in recs) or any(ans[r]["self_willing"] == "unsure" for r in "ab"):
        level = "couple_counseling"
    else:
        level = "rebuild_together"
    gaps = []
    for seer, other in (("a", "b"), ("b", "a")):
        thinks, says = ans[seer]["partner_willing"], ans[other]["self_willing"]
        if thinks == "not_discussed" or thinks != says:
            gaps.append((seer, other, thinks, says))
    steps = []
    if level in ("rebuild_together", "couple_counseling", "support_first"):
        if gaps:
            steps.append(("talk-about-willingness", ("a", "b")))
        on = {r: set(_triggered_steps(ans[r])) for r in "ab"}
        rest = [s for s in STEP_ORDER if s != "talk-about-willingness"]
        steps += [(s, ("a", "b")) for s in rest if s in on["a"] and s in on["b"]]
        steps += [(s, tuple(r for r in "ab" if s in on[r])) for s in rest if (s in on["a"]) != (s in on["b"])]
    return {"level": level, "gaps": gaps, "steps": steps}


def random_answers(rng: random.Random, signal_chance: float = 0.1) -> dict:
    """A complete, valid answer set; now and then with a safety answer of yes or "declined"."""
    answers = {}
    for question, (_, accepts) in QUESTIONS.items():
        if question in FOLLOW_UPS:
            continue
        if accepts == "safety":
            answers[question] = rng.choice((True, "declined")) if rng.random() < signal_chance / 4 else False
        elif accepts == "bool":
            answers[question] = rng.random() < 0.3
        elif accepts == "scale":
            answers[question] = rng.randint(1, 5)
        elif question in ("missing_needs", "signs"):
            answers[question] = [v for v in accepts if rng.random() < 0.25]
        else:
            answers[question] = rng.choice(accepts)
    for follow_up, parents in FOLLOW_UPS.items():
        if any(answers[p] is True for p in parents if p in BASE_SAFETY):
            answers[follow_up] = rng.choice((True, False, False, False))
    return answers
