"""CDS Hooks cards from results: plain functions of a result and what they are given, no Flask.

For clinicians: what each concern means, what made it hold, a validated follow-up whose timing
follows acuity, the support shown to the client, the reasons, steps and what the suggestion depends
on. The screen's items are modelled on public screeners but are not validated instruments.
"""

import uuid

from schemas.questionnaire import article_sections
from schemas.resources import contact_text, dial_numbers, dial_uri
from service.audit.sentences import RECOMMENDATION_WORDS
from service.core.decision import MOOD_QUESTIONS
from service.core.intake import SKIPPED_FOLLOW_UP

INDICATOR = {"consider_walking_away": "warning", "professional_help": "warning", "rebuild": "info"}
DESCRIPTION = (
    "Reads the patient's latest Closeness QuestionnaireResponse and returns one explained recommendation "
    "(rebuild, professional help, or consider walking away), with safety concerns flagged as critical."
)
CONCERN_WORDS = {
    "suicide_risk_now": "suicidal thoughts right now",
    "partner_safety_now": "afraid for their safety right now or tonight",
    "suicide_risk": "wish to be dead, suicidal thoughts, or an attempt in the past three months",
    "partner_safety": "fear of, or harm or threats from, a partner or ex-partner in the past year",
    "partner_control": "a partner's control or repeated put-downs",
    "self_harm": "self-harm in the past month without wanting to die",
    "suicide_history": "a past suicide attempt, not in the past three months",
}
# The action follows acuity: "now" concerns before the client leaves; other urgent concerns and a
# declined suicide item the same day; other noted concerns and declined topics at the next contact.
ALONE = "See the client alone, and do not raise these answers in a joint session."
FOLLOW_UPS = {
    "suicide_risk_now": (
        "Now: an immediate suicide safety evaluation before the client leaves (such as the ASQ's BSSA "
        "or the C-SSRS). Do not leave the client alone."
    ),
    "partner_safety_now": f"Now: an immediate safety evaluation before the client leaves. {ALONE}",
    "suicide_risk": "Today: a brief suicide safety assessment (such as the ASQ's BSSA or the C-SSRS).",
    "partner_safety": f"Today: a brief safety assessment, such as a danger assessment. {ALONE}",
    "partner_control": f"Next contact: a danger assessment. {ALONE}",
    "self_harm": (
        "Next contact: ask about self-harm and thoughts of suicide with a validated screen (ASQ, C-SSRS)."
    ),
    "suicide_history": (
        "Next contact: ask about current thoughts of suicide with a validated screen (ASQ, C-SSRS)."
    ),
}
DECLINED_FOLLOW_UP = {
    "partner": f"Next contact: ask about safety with a partner again. {ALONE}",
    "suicide": (
        "Today: treat a declined suicide item as a positive screen (as the ASQ does), with a brief "
        "suicide safety assessment when the client is alone."
    ),
    "self_harm": "Next contact: ask about self-harm again when the client is alone.",
}
LOW_MOOD_FOLLOW_UP = "A mood item answered yes: consider the PHQ-9."
# The card's summary (at most 140 characters) follows acuity too, so that a clinician who reads only
# the headline acts in time.
NOW_SUMMARY = (
    "Urgent: assess now, before the client leaves; do not leave them alone. See them without their partner."
)
DECLINED_SUICIDE_SUMMARY = (
    "Safety screen: a declined suicide item (a positive screen). Assess today, without the partner present."
)
SCREENED_SUMMARY = "Safety screen: {what}. Follow up at the next contact, with the client alone."
SCREENED_WORDS = {
    "partner_control": "control or put-downs",
    "self_harm": "self-harm",
    "suicide_history": "a past attempt",
}
NOW = ("suicide_risk_now", "partner_safety_now")
# What made each concern hold, for the clinician (never shown to the client): (question, words) in
# order; a follow-up that counted as yes because it was skipped or declined is said to be so.
BASIS_WORDS = {
    "suicide_risk_now": (("suicidal_thoughts_now", "thoughts of suicide right now"),),
    "partner_safety_now": (("unsafe_now", "afraid for their safety right now or tonight"),),
    "suicide_risk": (
        ("wished_dead", "wished to be dead (past few weeks)"),
        ("suicidal_thoughts", "thoughts of suicide (past week)"),
        ("attempt_recent", "an attempt in the past three months"),
    ),
    "partner_safety": (
        ("afraid_of_partner", "frightened by a partner or ex-partner"),
        ("partner_harmed_me", "hurt, threatened or sexually coerced by a partner or ex-partner"),
    ),
    "partner_control": (("partner_controls", "control"), ("partner_insults", "put-downs")),
}


def _screened(safety: dict) -> bool:
    return bool(safety["urgent"] or safety["noted"] or safety["declined"])


def _basis(concern: str, answers: dict, warnings: list) -> str:
    """What this client's answers that made a concern hold were, in a clinician's words."""
    # Only follow-ups counted as yes because they were skipped: a missing or invalid base answer
    # (also in an urgent result's warnings) triggers nothing.
    skipped = {w["question"] for w in warnings if w["message"] == SKIPPED_FOLLOW_UP}
    found = []
    for question, words in BASIS_WORDS.get(concern, ()):
        if answers.get(question) is True:
            found.append(f"{words}: yes")
        elif question in skipped:
            found.append(f"{words}: not answered (skipped or declined), counted as yes")
    return f"; {'; '.join(found)}" if found else ""


def _safety_lines(result: dict, answers: dict, topics: dict) -> list[str]:
    safety = result["safety"]
    lines = []
    if _screened(safety):
        lines.append("**Safety screen**")
        for kind, concerns in (("Urgent", safety["urgent"]), ("Noted", safety["noted"])):
            lines += [
                f"- {kind}: {CONCERN_WORDS[c]} (`{c}`{_basis(c, answers, result['warnings'])})"
                for c in concerns
            ]
        if safety["declined"]:
            lines.append(
                '- Answered "I\'d rather not say": ' + ", ".join(f"`{q}`" for q in safety["declined"])
            )
        lines.append("")
    follow = [FOLLOW_UPS[c] for c in (*safety["urgent"], *safety["noted"])]
    follow += [DECLINED_FOLLOW_UP[topics[q]] for q in safety["declined"]]
    if any(answers.get(q) is True for q in MOOD_QUESTIONS):
        follow.append(LOW_MOOD_FOLLOW_UP)
    if follow:
        lines += ["**Suggested follow-up**", *[f"- {text}" for text in dict.fromkeys(follow)], ""]
    return lines


def _summary_and_indicator(result: dict, level, topics: dict) -> tuple[str, str]:
    """A card never reads as calm when the safety screen noted something or an item was declined, and
    its summary names the timing the concerns ask for."""
    safety = result["safety"]
    if result["urgent"]:
        now = any(concern in NOW for concern in safety["urgent"])
        return (NOW_SUMMARY if now else level.clinician_summary), "critical"
    if any(topics[q] == "suicide" for q in safety["declined"]):
        return DECLINED_SUICIDE_SUMMARY, "warning"
    if _screened(safety):
        what = [SCREENED_WORDS[c] for c in safety["noted"]]
        what += ["a declined item"] if safety["declined"] else []
        return SCREENED_SUMMARY.format(what=", ".join(what)), "warning"
    return level.clinician_summary, INDICATOR[result["recommendation"]]


def _recommendation_words(result: dict, topics: dict) -> str:
    words = RECOMMENDATION_WORDS[result["recommendation"]].capitalize()
    caution = "partner_control" in result["safety"]["noted"] or any(
        topics[q] == "partner" for q in result["safety"]["declined"]
    )
    if result["recommendation"] == "rebuild" and caution:
        return "Rebuild closeness, starting on their own (see the client alone first)"
    return words + (" (urgent)" if result["urgent"] else "")


def _depends_lines(would_change: list | None) -> list[str]:
    """What the suggestion depends on, for the practice (absent beside any safety or hold-back signal)."""
    if not would_change:
        return []
    lines = [
        "",
        "**What this suggestion depends on** (the client's answers it rests on, not things to change)",
    ]
    for entry in would_change:
        changes = "; ".join(change["text"] for change in entry["changes"])
        lines.append(f"- {changes}: {RECOMMENDATION_WORDS[entry['recommendation']]} ({entry['title']})")
    return lines


def card(
    result: dict,
    answers: dict,
    would_change: list | None,
    *,
    level,
    topics: dict,
    source_url: str,
    docs_url: str,
) -> dict:
    """The card for one result: `level` the winning outcome level, `topics` the safety questions'
    support topics, `source_url` where the level's cited section is, `docs_url` how Closeness decides."""
    sections = article_sections()
    lines = [
        f"**Recommendation:** {_recommendation_words(result, topics)}",
        "",
        f"**{result['title']}.** {result['summary']}",
        "",
        "The safety items are modelled on public screeners; they are not validated instruments.",
        "",
    ]
    lines += _safety_lines(result, answers, topics)
    if result["resources"]:
        lines += [
            "**Support shown to the client**",
            *[f"- **{r['name']}**: {r['description']}{contact_text(r)}" for r in result["resources"]],
            "",
        ]
    lines.append("**Why** (as shown to the client)")
    for r in result["reasons"]:
        basis = "" if r["basis"] == "article" else ", safety guidance"
        lines.append(f"- {r['title']}: {r['explanation']} _({sections[r['section']]['title']}{basis})_")
        lines += [f"  - {b['text']}" for b in r["because"]]
    if result["steps"]:
        lines += ["", "**Suggested steps**", *[f"- **{s['title']}**: {s['advice']}" for s in result["steps"]]]
    if result["also_consider"]:
        lines += [
            "",
            "**Also consider**",
            *[f"- **{a['title']}**: {a['text']}" for a in result["also_consider"]],
        ]
    lines += _depends_lines(would_change)
    lines += [
        "",
        f"_{result['notice']}_",
        "",
        f"Rulebook {result['ruleset']['version']} ({result['ruleset']['digest'][:19]})"
        + (f"; decision {result['decision_id']}" if result.get("decision_id") else ""),
    ]
    summary, indicator = _summary_and_indicator(result, level, topics)
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary,
        "indicator": indicator,
        "detail": "\n".join(lines),
        "source": {
            "label": f"Closeness: {sections[level.section]['title']}",
            "url": source_url,
        },
        "links": [
            *_dial_links(result["resources"]),
            {
                "label": "How Closeness decides (API and rulebook)",
                "url": docs_url,
                "type": "absolute",
            },
        ],
    }


def _dial_links(resources: list) -> list[dict]:
    """Each support phone and text number shown to the client, as a link a phone can dial."""
    links = []
    for resource in resources:
        for key, scheme, verb in (("phone", "tel", "Call"), ("text", "sms", "Text")):
            for number in dial_numbers(resource.get(key, "")):
                label = f"{verb} {resource['name']}: {number}"
                links.append({"label": label, "url": dial_uri(number, scheme), "type": "absolute"})
    return list({link["url"]: link for link in links}.values())
