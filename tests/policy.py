"""An independent plain-Python transcription of shared/spec/questionnaire-and-policy.md (v2.1).

Written from the spec, not from the rule files, so that the differential test compares two
separate readings of the policy. It takes raw answers (possibly partial or wrong) and returns the
decision, or None where the spec asks for a 422.
"""

SAFETY_VALUES = (True, False, "declined")
BASE_SAFETY = (
    "afraid_of_partner",
    "partner_harmed_me",
    "partner_controls",
    "partner_insults",
    "wished_dead",
    "suicidal_thoughts",
    "past_attempt",
    "self_harm",
)
PARTNER_ITEMS = ("afraid_of_partner", "partner_harmed_me", "partner_controls", "partner_insults")
FOLLOW_UPS = {
    "unsafe_now": PARTNER_ITEMS,
    "attempt_recent": ("past_attempt",),
    "suicidal_thoughts_now": ("wished_dead", "suicidal_thoughts", "past_attempt"),
}
PERMANENCE = (
    "partner_refuses_to_talk",
    "partner_always_blames",
    "attempts_keep_failing",
    "partner_ignores_feelings",
)
URGENT_ORDER = ("suicide_risk_now", "partner_safety_now", "suicide_risk", "partner_safety")
NOTED_ORDER = ("partner_control", "self_harm", "suicide_history")
STEP_ORDER = (
    "talk-about-willingness",
    "open-honest-communication",
    "prioritize-meaningful-quality-time",
    "bring-back-closeness",
    "create-a-safe-emotional-environment",
    "notice-your-own-walls",
    "heal-from-past-emotional-wounds",
    "understand-each-others-style",
    "notice-the-push-and-pull",
)
ON_YOUR_OWN = {
    "notice-your-own-walls",
    "heal-from-past-emotional-wounds",
    "understand-each-others-style",
    "notice-the-push-and-pull",
}


QUESTIONS = {  # id -> (required without an urgent concern, accepts)
    **{q: (True, "safety") for q in BASE_SAFETY},
    **{q: (False, "safety") for q in FOLLOW_UPS},
    "feeling_down": (False, "bool"),
    "lost_interest": (False, "bool"),
    "ready_to_share": (True, "scale"),
    "walls_when_close": (True, "scale"),
    "time_to_listen": (True, "scale"),
    "missing_needs": (
        False,
        (
            "being_listened_to",
            "honest_talks",
            "talking_about_feelings",
            "respect",
            "admiration",
            "quality_time",
            "feeling_safe_to_share",
            "physical_closeness",
        ),
    ),
    "self_willing": (True, ("yes", "unsure", "no")),
    "partner_willing": (True, ("yes", "unsure", "no", "not_discussed")),
    **{q: (True, "bool") for q in (*PERMANENCE, "connecting_leaves_me_worse")},
    "signs": (
        False,
        (
            "feeling_misunderstood",
            "difficulty_sharing",
            "growing_distance",
            "resentment",
            "seeking_connection_elsewhere",
            "push_pull",
            "different_ways_of_expressing",
        ),
    ),
    "past_hurt_affects_me": (False, "bool"),
    "same_problems_keep_returning": (False, "bool"),
}
LIST_QUESTIONS = ("missing_needs", "signs")


def _accepts(question: str, value) -> bool:
    kind = QUESTIONS[question][1]
    if kind == "safety":
        return value is True or value is False or value == "declined"
    if kind == "bool":
        return value is True or value is False
    if kind == "scale":
        return type(value) is int and 1 <= value <= 5
    if question in LIST_QUESTIONS:
        return (
            type(value) is list
            and all(type(v) is str and v in kind for v in value)
            and len(set(value)) == len(value)
        )
    return type(value) is str and value in kind


def is_valid(raw) -> bool:
    """Strict validation as the spec's "Validation" section describes it (without an urgent concern)."""
    if not isinstance(raw, dict) or not set(raw) <= set(QUESTIONS):
        return False
    required = all(q in raw for q, (needed, _) in QUESTIONS.items() if needed)
    return required and all(_accepts(q, v) for q, v in raw.items())


def safety_screen(raw: dict) -> dict:
    """urgent, noted and declined, as the spec's "Safety concerns" section defines them."""
    valid = {
        k: raw[k]
        for k in (*BASE_SAFETY, *FOLLOW_UPS)
        if k in raw
        and raw[k] in SAFETY_VALUES
        and (raw[k] is True or raw[k] is False or raw[k] == "declined")
    }

    def counts(follow_up):
        if valid.get(follow_up) is True:
            return True
        trigger = any(valid.get(t) is True for t in FOLLOW_UPS[follow_up])
        return trigger and valid.get(follow_up) is not False

    now_suicide = counts("suicidal_thoughts_now")
    now_partner = counts("unsafe_now")
    recent = counts("attempt_recent")
    suicide = (
        valid.get("wished_dead") is True or valid.get("suicidal_thoughts") is True or recent
    ) and not now_suicide
    partner = (
        valid.get("afraid_of_partner") is True or valid.get("partner_harmed_me") is True
    ) and not now_partner
    urgent = [
        name
        for name, on in zip(URGENT_ORDER, (now_suicide, now_partner, suicide, partner), strict=True)
        if on
    ]
    urgent_suicide = now_suicide or suicide
    noted = []
    if (valid.get("partner_controls") is True or valid.get("partner_insults") is True) and not (
        now_partner or partner
    ):
        noted.append("partner_control")
    if valid.get("self_harm") is True and not urgent_suicide:
        noted.append("self_harm")
    if valid.get("past_attempt") is True and not recent and not urgent_suicide:
        noted.append("suicide_history")
    declined = [q for q in BASE_SAFETY if valid.get(q) == "declined"]
    return {"urgent": urgent, "noted": noted, "declined": declined}


DEFAULTS = {
    "missing_needs": [],
    "signs": [],
    "past_hurt_affects_me": False,
    "same_problems_keep_returning": False,
    "feeling_down": False,
    "lost_interest": False,
}


def with_defaults(raw: dict) -> dict:
    """The answers with the optional questions' defaults filled in."""
    return {**DEFAULTS, **raw}


RECOMMENDATION_OF_LEVEL = {
    "walk": "consider_walking_away",
    "for_you": "professional_help",
    "together": "professional_help",
    "rebuild": "rebuild",
}


def urgent_decision(safety: dict) -> dict:
    """What an urgent concern decides, whatever else was answered."""
    return {
        "recommendation": "professional_help",
        "urgent": True,
        "safety": safety,
        "steps": [],
        "also_consider": [],
    }


def decide(raw: dict) -> dict | None:
    """The decision for raw answers, or None where the spec asks for a 422."""
    if not isinstance(raw, dict):
        return None
    safety = safety_screen(raw)
    if safety["urgent"]:
        return urgent_decision(safety)
    if not is_valid(raw):
        return None
    a = with_defaults(raw)
    p = sum(1 for q in PERMANENCE if a[q] is True)
    flags = sum([a["ready_to_share"] <= 2, a["walls_when_close"] >= 4, a["time_to_listen"] <= 2])
    low_mood = a["feeling_down"] is True and a["lost_interest"] is True
    some_low_mood = a["feeling_down"] is True or a["lost_interest"] is True
    pw, sw = a["partner_willing"], a["self_willing"]
    worse = a["connecting_leaves_me_worse"] is True
    declined = set(safety["declined"])
    # v2.1: hold-back signals, a partner who is not willing, partner caution.
    hold_back = (
        some_low_mood
        or "self_harm" in safety["noted"]
        or bool(declined & {"wished_dead", "suicidal_thoughts", "past_attempt", "self_harm"})
    )
    not_willing = pw in ("no", "unsure") or (pw == "not_discussed" and a["partner_refuses_to_talk"] is True)
    caution = "partner_control" in safety["noted"] or bool(declined & set(PARTNER_ITEMS))

    walk = (
        (p >= 3 and not_willing)
        or (p >= 2 and pw == "no")
        or (worse and not_willing and (p >= 2 or pw == "no"))
        or (sw == "no" and pw == "no" and p >= 1)
    )
    together = (
        p >= 1
        or (a["same_problems_keep_returning"] is True and "resentment" in a["signs"])
        or (sw == "unsure" and pw != "yes")
    )
    for_you = (
        bool(set(safety["noted"]) & {"partner_control", "self_harm"})
        or low_mood
        or pw == "no"
        or sw == "no"
        or a["past_hurt_affects_me"] is True
        or flags == 3
        or worse
        or (walk and hold_back)
        or (caution and together)
    )

    if walk and not hold_back:
        level = "walk"
    elif for_you:
        level = "for_you"
    elif together:
        level = "together"
    else:
        level = "rebuild"
    recommendation = RECOMMENDATION_OF_LEVEL[level]
    also = []
    if level != "walk" and walk:
        also.append("consider_walking_away")
    if level == "walk" and (for_you or together):
        also.append("professional_help")

    return {
        "recommendation": recommendation,
        "urgent": False,
        "safety": safety,
        "steps": _steps(level, a, safety, caution),
        "also_consider": also,
    }


def _steps(level: str, a: dict, safety: dict, caution: bool) -> list[str]:
    """The steps a level gives: none when walking away; on-your-own ones with help for you (none when
    you are not willing or a partner controls) and with rebuild under partner caution."""
    triggered = _triggered_steps(a)
    own = [s for s in triggered if s in ON_YOUR_OWN]
    if level == "walk":
        return []
    if level == "for_you":
        return [] if a["self_willing"] == "no" or "partner_control" in safety["noted"] else own
    if level == "rebuild" and caution:
        return own
    return triggered or ["open-honest-communication"]


def _triggered_steps(a: dict) -> list[str]:
    missing, signs = set(a["missing_needs"]), set(a["signs"])
    on = {
        "talk-about-willingness": a["partner_willing"] in ("not_discussed", "unsure"),
        "open-honest-communication": bool(
            missing & {"being_listened_to", "honest_talks", "talking_about_feelings"}
        )
        or bool(signs & {"feeling_misunderstood", "difficulty_sharing", "resentment"})
        or a["ready_to_share"] <= 2
        or a["same_problems_keep_returning"] is True,
        "prioritize-meaningful-quality-time": "quality_time" in missing
        or "growing_distance" in signs
        or a["time_to_listen"] <= 2,
        "bring-back-closeness": "physical_closeness" in missing,
        "create-a-safe-emotional-environment": bool(
            missing & {"feeling_safe_to_share", "respect", "admiration"}
        )
        or a["walls_when_close"] >= 4,
        "notice-your-own-walls": a["walls_when_close"] >= 4 or a["ready_to_share"] <= 2,
        "heal-from-past-emotional-wounds": a["past_hurt_affects_me"] is True,
        "understand-each-others-style": "different_ways_of_expressing" in signs,
        "notice-the-push-and-pull": "push_pull" in signs,
    }
    return [step for step in STEP_ORDER if on[step]]
