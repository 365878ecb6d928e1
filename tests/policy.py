"""An independent plain-Python transcription of shared/spec/questionnaire-and-policy.md.

Written from the spec, not from the rule files, so that the differential test compares two
separate readings of the policy.
"""

PERMANENCE = (
    "partner_refuses_to_talk",
    "partner_always_blames",
    "attempts_keep_failing",
    "partner_ignores_feelings",
)


def decide(a: dict) -> dict:
    """recommendation, urgent, step ids (as a set) and also_consider for one answer set."""
    p = sum(1 for q in PERMANENCE if a[q])
    flags = [a["ready_to_share"] <= 2, a["walls_when_close"] >= 4, a["time_to_listen"] <= 2]
    low_availability = sum(flags) >= 2
    partner_no = a["partner_willing"] == "no"
    worse = a["connecting_leaves_me_worse"]

    safety = a["afraid_of_partner"] or a["thoughts_of_self_harm"]
    walk = (
        p >= 3
        or (p >= 2 and partner_no)
        or (worse and (p >= 2 or partner_no))
        or (a["self_willing"] == "no" and partner_no)
    )
    help_ = (
        p >= 1
        or partner_no
        or worse
        or a["past_hurt_affects_me"]
        or a["same_problems_keep_returning"]
        or low_availability
        or a["self_willing"] == "no"
        or (a["self_willing"] == "unsure" and a["partner_willing"] != "yes")
    )
    if safety:
        return {"recommendation": "professional_help", "urgent": True, "steps": set(), "also_consider": []}
    if walk:
        also = ["professional_help"] if help_ else []
        return {
            "recommendation": "consider_walking_away",
            "urgent": False,
            "steps": set(),
            "also_consider": also,
        }
    recommendation = "professional_help" if help_ else "rebuild"
    return {"recommendation": recommendation, "urgent": False, "steps": steps(a), "also_consider": []}


def steps(a: dict) -> set:
    missing, signs = set(a["missing_needs"]), set(a["signs"])
    chosen = set()
    if (
        missing & {"being_listened_to", "honest_talks", "talking_about_feelings", "admiration"}
        or signs & {"feeling_misunderstood", "difficulty_sharing", "resentment"}
        or a["ready_to_share"] <= 2
    ):
        chosen.add("open-honest-communication")
    if (
        missing & {"quality_time", "physical_closeness"}
        or "growing_distance" in signs
        or a["time_to_listen"] <= 2
    ):
        chosen.add("prioritize-meaningful-quality-time")
    if missing & {"feeling_safe_to_share", "respect"} or a["walls_when_close"] >= 4:
        chosen.add("create-a-safe-emotional-environment")
    if a["past_hurt_affects_me"] or a["walls_when_close"] >= 4:
        chosen.add("heal-from-past-emotional-wounds")
    if a["partner_willing"] in ("not_discussed", "unsure"):
        chosen.add("am-i-willing-to-rebuild")
    return chosen or {"open-honest-communication"}
