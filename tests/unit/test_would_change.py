"""What a suggestion depends on (shared/spec/what-would-change.md), held to a brute force over the
independent transcription of the policy (tests/policy.py): minimal, ordered, capped, the contract's
values, no locked answer, and absent exactly when the contract says."""

import random
from dataclasses import replace
from itertools import combinations, product

from tests.answers import SAFETY_ONLY
from tests.policy import QUESTIONS, decide
from tests.results import as_json

SEVERITY = {"rebuild": 0, "professional_help": 1, "consider_walking_away": 2}
NEEDS, SIGNS = QUESTIONS["missing_needs"][1], QUESTIONS["signs"][1]
FLIPS = (
    "partner_refuses_to_talk",
    "partner_always_blames",
    "attempts_keep_failing",
    "partner_ignores_feelings",
)
LOCKED = {
    *SAFETY_ONLY,
    "feeling_down",
    "lost_interest",
    "connecting_leaves_me_worse",
    "past_hurt_affects_me",
    "ready_to_share",
    "self_willing",
}


def _changes(a: dict) -> list[tuple]:
    """(position, question, item, values) for every allowed change, as the contract lists them."""
    out = [
        ((0, 0), "walls_when_close", None, [v for v in range(1, 6) if v != a["walls_when_close"]]),
        ((1, 0), "time_to_listen", None, [v for v in range(1, 6) if v != a["time_to_listen"]]),
    ]
    out += [
        ((2, NEEDS.index(n)), "missing_needs", n, [None]) for n in NEEDS if n in a.get("missing_needs", [])
    ]
    willing = [v for v in ("yes", "unsure") if v != a["partner_willing"]]
    out += [((3, 0), "partner_willing", None, willing)] if willing else []
    out += [((4 + i, 0), q, None, [False]) for i, q in enumerate(FLIPS) if a[q] is True]
    out += [
        ((8, SIGNS.index(s)), "signs", s, [None])
        for s in SIGNS
        if s in a.get("signs", []) and s != "resentment"
    ]
    if a.get("same_problems_keep_returning") is True:
        out.append(((9, 0), "same_problems_keep_returning", None, [False]))
    return sorted(out)


def _apply(a: dict, chosen, values) -> dict:
    changed = {**a}
    for (_, question, item, _), value in zip(chosen, values, strict=True):
        if item is not None:
            changed[question] = [v for v in changed.get(question, []) if v != item]
        else:
            changed[question] = value
    return changed


def _rank(a, chosen, values):
    """The contract's choice among values reaching a target: partner_willing's first, then the
    smallest scale distance, ties toward fewer walls and more time."""
    willing = tuple(
        ("yes", "unsure").index(v)
        for (_, q, _, _), v in zip(chosen, values, strict=True)
        if q == "partner_willing"
    )
    scales = [
        (q, v)
        for (_, q, _, _), v in zip(chosen, values, strict=True)
        if q in ("walls_when_close", "time_to_listen")
    ]
    distance = sum(abs(v - a[q]) for q, v in scales)
    return willing, distance, tuple(v if q == "walls_when_close" else -v for q, v in scales)


def brute_force(a: dict) -> list[tuple[str, tuple, dict]]:
    """(target, the set's (question, item) pairs, changed answers) the contract lists."""
    now = decide(a)["recommendation"]
    targets = sorted((t for t in SEVERITY if SEVERITY[t] < SEVERITY[now]), key=lambda t: -SEVERITY[t])
    listed = []
    for target in targets:
        for size in (1, 2, 3):
            found = []
            for chosen in combinations(_changes(a), size):
                reaching = [
                    v
                    for v in product(*(c[3] for c in chosen))
                    if decide(_apply(a, chosen, v))["recommendation"] == target
                ]
                if reaching:
                    best = min(reaching, key=lambda v: _rank(a, chosen, v))
                    found.append((target, tuple((c[1], c[2]) for c in chosen), _apply(a, chosen, best)))
            if found:
                listed += found[:3]
                break
    return listed


def _withheld(a: dict, result: dict) -> bool:
    safety = result["safety"]
    hold_back = (
        a.get("feeling_down") is True
        or a.get("lost_interest") is True
        or a.get("self_harm") is True
        or any(
            a.get(q) == "declined" for q in ("wished_dead", "suicidal_thoughts", "past_attempt", "self_harm")
        )
    )
    return bool(result["urgent"] or safety["noted"] or safety["declined"] or hold_back)


def _person(rng: random.Random, baseline: dict) -> dict:
    a = dict(baseline)
    a.update(
        walls_when_close=rng.randint(1, 5),
        time_to_listen=rng.randint(1, 5),
        ready_to_share=rng.randint(1, 5),
        self_willing=rng.choice(["yes", "unsure", "no"]),
        partner_willing=rng.choice(["yes", "unsure", "no", "not_discussed"]),
        missing_needs=sorted(rng.sample(NEEDS, rng.choice([0, 0, 1, 2, 3]))),
        signs=sorted(rng.sample(SIGNS, rng.choice([0, 1, 2, 3]))),
        **{
            q: rng.random() < 0.45
            for q in (
                *FLIPS,
                "connecting_leaves_me_worse",
                "past_hurt_affects_me",
                "same_problems_keep_returning",
            )
        },
    )
    if rng.random() < 0.15:  # now and then a signal that withholds the list
        a[rng.choice(["feeling_down", "self_harm", "partner_insults", "wished_dead", "partner_controls"])] = (
            rng.choice([True, "declined"]) if rng.random() < 0.5 else True
        )
        if a.get("feeling_down") == "declined":
            a["feeling_down"] = True
        if a.get("partner_insults") is True or a.get("partner_controls") is True:
            a["unsafe_now"] = False
        if a.get("wished_dead") is True:
            a["suicidal_thoughts_now"] = False
    return a


def test_every_listed_set_is_minimal_ordered_and_reaches_its_target(evaluator, baseline):
    rng = random.Random(22)
    seen = {"listed": 0, "withheld": 0, "empty": 0, "capped": 0, "scale": 0, "two_targets": 0}
    for _ in range(160):
        a = _person(rng, baseline)
        assessment = evaluator.decide(a)
        result = as_json(replace(assessment.result, would_change=evaluator.would_change(assessment)))
        got = result.get("would_change")
        if _withheld(a, result):
            assert got is None, a
            seen["withheld"] += 1
            continue
        if result["recommendation"] == "rebuild":
            assert got == [], a
            seen["empty"] += 1
            continue
        expected = brute_force(assessment.answers)
        assert [
            (
                w["recommendation"],
                tuple((c["question"], c["from"] if c["to"] is None else None) for c in w["changes"]),
            )
            for w in got
        ] == [(t, pairs) for t, pairs, _ in expected], a
        for entry, (target, _, changed) in zip(got, expected, strict=True):
            for change in entry["changes"]:
                assert change["question"] not in LOCKED and change["text"]
                if change["to"] is not None:
                    assert change["to"] == changed[change["question"]]  # the contract's chosen value
                    seen["scale"] += change["question"] in ("walls_when_close", "time_to_listen")
            re_decided = {**assessment.answers}
            for change in entry["changes"]:
                if change["to"] is None:
                    re_decided[change["question"]] = [
                        v for v in re_decided[change["question"]] if v != change["from"]
                    ]
                else:
                    re_decided[change["question"]] = change["to"]
            assert decide(re_decided)["recommendation"] == target  # decided again, it reaches its target
            assert evaluator.decide(re_decided).result.recommendation == target
        seen["listed"] += bool(got)
        seen["capped"] += any(sum(w["recommendation"] == t for w in got) == 3 for t in SEVERITY)
        seen["two_targets"] += len({w["recommendation"] for w in got}) == 2
    assert all(seen.values()), seen  # every kind of case came up, so each check bites
