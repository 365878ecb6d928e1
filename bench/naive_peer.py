"""The naive durable_rules integration Closeness is compared with.

Rules written with durable.lang decorators, the stock Host (with its timer threads), one
assert_fact per case and the state deleted afterwards; derived values computed in Python first,
as a straightforward integration would. Resolution in plain Python.
"""

import itertools

from durable import lang
from durable.lang import m, ruleset, when_all

RULESET = "naive_closeness"
_fired: dict[str, list[str]] = {}
_ids = itertools.count()


def _rule(name, condition):
    @when_all(condition)
    def action(c):
        _fired[c.m.sid].append(name)

    action.__name__ = name.replace("-", "_")
    return action


with ruleset(RULESET):
    _rule("safety-afraid", m.afraid_of_partner == True)  # noqa: E712 - durable.lang compares by ==
    _rule("safety-self-harm", m.thoughts_of_self_harm == True)  # noqa: E712
    _rule("walk-a", m.p >= 3)
    _rule("walk-b", (m.p >= 2) & (m.partner_willing == "no"))
    _rule("walk-c1", (m.connecting_leaves_me_worse == True) & (m.p >= 2))  # noqa: E712
    _rule("walk-c2", (m.connecting_leaves_me_worse == True) & (m.partner_willing == "no"))  # noqa: E712
    _rule("walk-d", (m.self_willing == "no") & (m.partner_willing == "no"))
    _rule("help-a", m.p >= 1)
    _rule("help-b", m.partner_willing == "no")
    _rule("help-c", m.connecting_leaves_me_worse == True)  # noqa: E712
    _rule("help-d", m.past_hurt_affects_me == True)  # noqa: E712
    _rule("help-e", m.same_problems_keep_returning == True)  # noqa: E712
    _rule("help-f", m.low_availability == True)  # noqa: E712
    _rule("help-g", m.self_willing == "no")
    _rule("help-h", (m.self_willing == "unsure") & (m.partner_willing != "yes"))
    _rule("open-honest-communication", m.talk == True)  # noqa: E712
    _rule("prioritize-meaningful-quality-time", m.time == True)  # noqa: E712
    _rule("create-a-safe-emotional-environment", m.safe == True)  # noqa: E712
    _rule("heal-from-past-emotional-wounds", m.heal == True)  # noqa: E712
    _rule("am-i-willing-to-rebuild", (m.partner_willing == "not_discussed") | (m.partner_willing == "unsure"))
    _rule("always", +m.kind)


def _facts(a: dict) -> dict:
    missing, signs = set(a["missing_needs"]), set(a["signs"])
    flags = [a["ready_to_share"] <= 2, a["walls_when_close"] >= 4, a["time_to_listen"] <= 2]
    permanence = (
        "partner_refuses_to_talk",
        "partner_always_blames",
        "attempts_keep_failing",
        "partner_ignores_feelings",
    )
    return {
        **{k: v for k, v in a.items() if not isinstance(v, list)},
        "kind": "answers",
        "p": sum(1 for q in permanence if a[q]),
        "low_availability": sum(flags) >= 2,
        "talk": bool(
            missing & {"being_listened_to", "honest_talks", "talking_about_feelings", "admiration"}
            or signs & {"feeling_misunderstood", "difficulty_sharing", "resentment"}
            or flags[0]
        ),
        "time": bool(
            missing & {"quality_time", "physical_closeness"} or "growing_distance" in signs or flags[2]
        ),
        "safe": bool(missing & {"feeling_safe_to_share", "respect"} or flags[1]),
        "heal": bool(a["past_hurt_affects_me"] or flags[1]),
    }


STEPS = (
    "open-honest-communication",
    "prioritize-meaningful-quality-time",
    "create-a-safe-emotional-environment",
    "heal-from-past-emotional-wounds",
    "am-i-willing-to-rebuild",
)


def decide(answers: dict) -> dict:
    """recommendation, urgent, steps and also_consider, decided through durable.lang."""
    sid = f"naive-{next(_ids)}"
    _fired[sid] = []
    try:
        lang.assert_fact(RULESET, {**_facts(answers), "sid": sid})
        fired = set(_fired[sid])
    finally:
        lang.delete_state(RULESET, sid)
        del _fired[sid]
    safety = any(r.startswith("safety") for r in fired)
    walk = any(r.startswith("walk") for r in fired)
    help_ = any(r.startswith("help") for r in fired)
    if safety:
        return {"recommendation": "professional_help", "urgent": True, "steps": set(), "also_consider": []}
    if walk:
        return {
            "recommendation": "consider_walking_away",
            "urgent": False,
            "steps": set(),
            "also_consider": ["professional_help"] if help_ else [],
        }
    steps = {s for s in STEPS if s in fired} or {"open-honest-communication"}
    return {
        "recommendation": "professional_help" if help_ else "rebuild",
        "urgent": False,
        "steps": steps,
        "also_consider": [],
    }
