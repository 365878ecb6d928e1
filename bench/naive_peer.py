"""The naive durable_rules integration Closeness is compared with (policy v2.1).

Rules written with durable.lang decorators, the stock Host (with its timer threads), one
assert_fact per case and the state deleted afterwards; the safety screen and derived values
computed in Python first, as a straightforward integration would. Resolution in plain Python.
"""

import itertools

from durable import lang
from durable.lang import m, ruleset, when_all

from tests.policy import (
    ON_YOUR_OWN,
    PARTNER_ITEMS,
    PERMANENCE,
    STEP_ORDER,
    _triggered_steps,
    safety_screen,
    urgent_decision,
    with_defaults,
)

RULESET = "naive_closeness_v2"
_fired: dict[str, list[str]] = {}
_ids = itertools.count()


def _rule(name, condition):
    @when_all(condition)
    def action(c):
        _fired[c.m.sid].append(name)

    action.__name__ = name.replace("-", "_")
    return action


with ruleset(RULESET):
    _rule("safety", m.urgent == True)  # noqa: E712 - durable.lang compares by ==
    _rule("walk-a", (m.p >= 3) & (m.not_willing == True))  # noqa: E712
    _rule("walk-b", (m.p >= 2) & (m.partner_willing == "no"))
    _rule("walk-c1", (m.connecting_leaves_me_worse == True) & (m.not_willing == True) & (m.p >= 2))  # noqa: E712
    _rule("walk-c2", (m.connecting_leaves_me_worse == True) & (m.partner_willing == "no"))  # noqa: E712
    _rule("walk-d", (m.self_willing == "no") & (m.partner_willing == "no") & (m.p >= 1))
    _rule("hold-back", m.hold_back == True)  # noqa: E712
    _rule("caution", m.caution == True)  # noqa: E712
    _rule("you-a", m.noted_for_you == True)  # noqa: E712
    _rule("you-b", m.low_mood == True)  # noqa: E712
    _rule("you-c", m.partner_willing == "no")
    _rule("you-d", m.self_willing == "no")
    _rule("you-e", m.past_hurt_affects_me == True)  # noqa: E712
    _rule("you-f", m.flags == 3)
    _rule("you-g", m.connecting_leaves_me_worse == True)  # noqa: E712
    _rule("together-a", m.p >= 1)
    _rule("together-b", (m.same_problems_keep_returning == True) & (m.resentment == True))  # noqa: E712
    _rule("together-c", (m.self_willing == "unsure") & (m.partner_willing != "yes"))
    for _step in STEP_ORDER:
        _rule(_step, getattr(m, _step.replace("-", "_")) == True)  # noqa: E712
    _rule("always", +m.kind)


def _facts(a: dict, safety: dict) -> dict:
    triggered = set(_triggered_steps(a))
    return {
        **{k: v for k, v in a.items() if not isinstance(v, list)},
        "kind": "answers",
        "urgent": bool(safety["urgent"]),
        "p": sum(1 for q in PERMANENCE if a[q] is True),
        "flags": sum([a["ready_to_share"] <= 2, a["walls_when_close"] >= 4, a["time_to_listen"] <= 2]),
        "low_mood": a.get("feeling_down") is True and a.get("lost_interest") is True,
        "hold_back": a.get("feeling_down") is True
        or a.get("lost_interest") is True
        or "self_harm" in safety["noted"]
        or bool({"wished_dead", "suicidal_thoughts", "past_attempt", "self_harm"} & set(safety["declined"])),
        "not_willing": a["partner_willing"] in ("no", "unsure")
        or (a["partner_willing"] == "not_discussed" and a["partner_refuses_to_talk"] is True),
        "caution": "partner_control" in safety["noted"] or bool(set(PARTNER_ITEMS) & set(safety["declined"])),
        "noted_for_you": bool({"partner_control", "self_harm"} & set(safety["noted"])),
        "resentment": "resentment" in a.get("signs", []),
        **{step.replace("-", "_"): step in triggered for step in STEP_ORDER},
    }


def decide(answers: dict) -> dict:
    """The decision (as tests/policy.py gives it) for valid answers, decided through durable.lang."""
    a = with_defaults(answers)
    safety = safety_screen(a)
    sid = f"naive-{next(_ids)}"
    _fired[sid] = []
    try:
        lang.assert_fact(RULESET, {**_facts(a, safety), "sid": sid})
        fired = set(_fired[sid])
    finally:
        lang.delete_state(RULESET, sid)
        del _fired[sid]
    if "safety" in fired:
        return urgent_decision(safety)
    walk = any(r.startswith("walk") for r in fired)
    together = any(r.startswith("together") for r in fired)
    held_back, caution = "hold-back" in fired, "caution" in fired
    for_you = any(r.startswith("you") for r in fired) or (walk and held_back) or (caution and together)
    steps = [s for s in STEP_ORDER if s in fired]
    also = []
    if walk and not held_back:
        recommendation, steps = "consider_walking_away", []
        also = ["professional_help"] if for_you or together else []
    elif for_you:
        recommendation = "professional_help"
        also = ["consider_walking_away"] if walk else []
        withheld = answers["self_willing"] == "no" or "partner_control" in safety["noted"]
        steps = [] if withheld else [s for s in steps if s in ON_YOUR_OWN]
    elif together:
        recommendation = "professional_help"
        steps = steps or ["open-honest-communication"]
    else:
        recommendation = "rebuild"
        own = [s for s in steps if s in ON_YOUR_OWN]
        steps = own if caution else steps or ["open-honest-communication"]
    return {
        "recommendation": recommendation,
        "urgent": False,
        "safety": safety,
        "steps": steps,
        "also_consider": also,
    }
