"""CDS Hooks cards from results: plain functions of a result and what they are given, no Flask.

For clinicians: what each concern means, what made it hold, a validated follow-up whose timing
follows acuity, the support shown to the client, the reasons, steps and what the suggestion depends
on. The screen's items are modelled on public screeners but are not validated instruments.
"""

import uuid

from schemas.model import ClinicianWords
from schemas.questionnaire import article_sections
from schemas.resources import dial_numbers, dial_uri
from service.audit.sentences import RECOMMENDATION_WORDS
from service.core.decision import MOOD_QUESTIONS
from service.core.intake import SKIPPED_FOLLOW_UP
from service.core.result import Result

INDICATOR = {"consider_walking_away": "warning", "professional_help": "warning", "rebuild": "info"}
DESCRIPTION = (
    "Reads the patient's latest Closeness QuestionnaireResponse and returns one explained recommendation "
    "(rebuild, professional help, or consider walking away), with safety concerns flagged as critical."
)
# What each concern means to a clinician, its follow-up and its timing are the concern's own
# (`clinician` in its rule file). The action follows acuity: "now" concerns before the client
# leaves; other urgent concerns and a declined suicide item the same day; other noted concerns and
# declined topics at the next contact.
ALONE = "See the client alone, and do not raise these answers in a joint session."
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
SUMMARY_LIMIT = 140


def _basis(clinician: ClinicianWords, answers: dict, warnings) -> str:
    """What this client's answers that made a concern hold were, in a clinician's words."""
    # Only follow-ups counted as yes because they were skipped: a missing or invalid base answer
    # (also in an urgent result's warnings) triggers nothing.
    skipped = {w.question for w in warnings if w.message == SKIPPED_FOLLOW_UP}
    found = []
    for question, words in clinician.basis:
        if answers.get(question) is True:
            found.append(f"{words}: yes")
        elif question in skipped:
            found.append(f"{words}: not answered (skipped or declined), counted as yes")
    return f"; {'; '.join(found)}" if found else ""


def _safety_lines(result: Result, answers: dict, topics: dict, words: dict) -> list[str]:
    safety = result.safety
    lines = []
    if safety:
        lines.append("**Safety screen**")
        for kind, concerns in (("Urgent", safety.urgent), ("Noted", safety.noted)):
            lines += [
                f"- {kind}: {words[c].words} (`{c}`{_basis(words[c], answers, result.warnings)})"
                for c in concerns
            ]
        if safety.declined:
            lines.append('- Answered "I\'d rather not say": ' + ", ".join(f"`{q}`" for q in safety.declined))
        lines.append("")
    follow = [words[c].follow_up for c in (*safety.urgent, *safety.noted)]
    follow += [DECLINED_FOLLOW_UP[topics[q]] for q in safety.declined]
    if any(answers.get(q) is True for q in MOOD_QUESTIONS):
        follow.append(LOW_MOOD_FOLLOW_UP)
    if follow:
        lines += ["**Suggested follow-up**", *[f"- {text}" for text in dict.fromkeys(follow)], ""]
    return lines


def _summary_and_indicator(result: Result, topics: dict, words: dict) -> tuple[str, str]:
    """A card never reads as calm when the safety screen noted something or an item was declined, and
    its summary names the timing the concerns ask for."""
    safety, level = result.safety, result.level
    if result.urgent:
        now = any(words[concern].acuity == "now" for concern in safety.urgent)
        return (NOW_SUMMARY if now else level.clinician_summary), "critical"
    if any(topics[q] == "suicide" for q in safety.declined):
        return DECLINED_SUICIDE_SUMMARY, "warning"
    if safety:
        what = [words[c].screened for c in safety.noted]
        what += ["a declined item"] if safety.declined else []
        summary = SCREENED_SUMMARY.format(what=", ".join(what))
        # A card's summary is at most 140 characters: many long concern words give way to a count.
        if len(summary) > SUMMARY_LIMIT:
            summary = SCREENED_SUMMARY.format(what=f"{len(what)} answers to review")
        return summary, "warning"
    return level.clinician_summary, INDICATOR[result.recommendation]


def _recommendation_words(result: Result) -> str:
    words = RECOMMENDATION_WORDS[result.recommendation].capitalize()
    if result.recommendation == "rebuild" and result.on_your_own:
        return "Rebuild closeness, starting on their own (see the client alone first)"
    return words + (" (urgent)" if result.urgent else "")


def _depends_lines(would_change) -> list[str]:
    """What the suggestion depends on, for the practice (absent beside any safety or hold-back signal)."""
    if not would_change:
        return []
    lines = [
        "",
        "**What this suggestion depends on** (the client's answers it rests on, not things to change)",
    ]
    for entry in would_change:
        changes = "; ".join(change.text for change in entry.changes)
        lines.append(f"- {changes}: {RECOMMENDATION_WORDS[entry.recommendation]} ({entry.title})")
    return lines


def card(
    result: Result,
    answers: dict,
    would_change: tuple | None,
    *,
    topics: dict,
    words: dict[str, ClinicianWords],
    source_url: str,
    docs_url: str,
) -> dict:
    """The card for one result: `topics` the safety questions' support topics, `words` each concern's
    clinician words, `source_url` where the winning level's cited section is, `docs_url` how Closeness
    decides."""
    sections = article_sections()
    level = result.level
    lines = [
        f"**Recommendation:** {_recommendation_words(result)}",
        "",
        f"**{result.title}.** {result.summary}",
        "",
        "The safety items are modelled on public screeners; they are not validated instruments.",
        "",
    ]
    lines += _safety_lines(result, answers, topics, words)
    if result.resources:
        lines += [
            "**Support shown to the client**",
            *[f"- **{r.name}**: {r.description}{r.contact_text()}" for r in result.resources],
            "",
        ]
    lines.append("**Why** (as shown to the client)")
    for r in result.reasons:
        basis = "" if r.basis == "article" else ", safety guidance"
        lines.append(f"- {r.title}: {r.explanation} _({sections[r.section]['title']}{basis})_")
        lines += [f"  - {b.text}" for b in r.because]
    if result.steps:
        lines += ["", "**Suggested steps**", *[f"- **{s.title}**: {s.advice}" for s in result.steps]]
    if result.also_consider:
        lines += ["", "**Also consider**", *[f"- **{a.title}**: {a.text}" for a in result.also_consider]]
    lines += _depends_lines(would_change)
    lines += [
        "",
        f"_{result.notice}_",
        "",
        f"Rulebook {result.ruleset.version} ({result.ruleset.digest[:19]})"
        + (f"; decision {result.decision_id}" if result.decision_id else ""),
    ]
    summary, indicator = _summary_and_indicator(result, topics, words)
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
            *_dial_links(result.resources),
            {
                "label": "How Closeness decides (API and rulebook)",
                "url": docs_url,
                "type": "absolute",
            },
        ],
    }


def _dial_links(resources) -> list[dict]:
    """Each support phone and text number shown to the client, as a link a phone can dial."""
    links = []
    for resource in resources:
        for key, scheme, verb in (("phone", "tel", "Call"), ("text", "sms", "Text")):
            for number in dial_numbers(getattr(resource, key) or ""):
                label = f"{verb} {resource.name}: {number}"
                links.append({"label": label, "url": dial_uri(number, scheme), "type": "absolute"})
    return list({link["url"]: link for link in links}.values())
