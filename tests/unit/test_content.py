"""What people read: the project's own words, plain, never blaming or hopeless, true for each person."""

import random
import re
import statistics
from pathlib import Path

import pytest
import textstat

from schemas.model import StepEffect
from service.core.exceptions import AnswersInvalid
from service.core.rulebook import load_rulebook
from tests.answers import garbled_answers
from tests.content import clinician_texts, couple_texts, person_texts, rule_texts, words
from tests.policy import PARTNER_ITEMS
from tests.results import as_json, assess
from tests.unit.test_questionnaire import SHARED

ARTICLE = SHARED / "article" / "article.md"
RUN = 8  # no product text repeats this many consecutive words of the article


def _article_runs() -> set[tuple[str, ...]]:
    if not ARTICLE.exists():
        pytest.skip(f"the article is not beside the repository ({ARTICLE})")
    tokens = words(ARTICLE.read_text(encoding="utf-8"))
    return {tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1)}


def _own_files() -> dict[str, str]:
    """The files product text lives in, read whole (so text outside the collected fields counts too)."""
    root = Path(__file__).resolve().parents[2]
    files = [
        *root.glob("rules/**/*.yaml"),
        *root.glob("schemas/*.yaml"),
        *root.glob("service/**/*.json"),
        *root.glob("service/api/static/*.js"),
        root / "service" / "interop" / "cds_cards.py",
        root / "README.md",
    ]
    return {str(path.relative_to(root)): path.read_text(encoding="utf-8") for path in files}


def test_no_product_text_repeats_eight_words_of_the_article():
    runs = _article_runs()
    found = []
    for where, text in {**person_texts(), **clinician_texts(), **_own_files()}.items():
        tokens = words(text)
        found += [
            (where, " ".join(tokens[i : i + RUN]))
            for i in range(len(tokens) - RUN + 1)
            if tuple(tokens[i : i + RUN]) in runs
        ]
    assert found == []


def test_person_facing_texts_are_plain():
    grades = {}
    for where, text in person_texts().items():
        if len(words(text)) >= 12:
            grades[where] = textstat.flesch_kincaid_grade(text)
    assert statistics.median(grades.values()) <= 8, statistics.median(grades.values())
    hard = {where: grade for where, grade in grades.items() if grade > 11}
    assert hard == {}


BLAME = re.compile(
    r"\b(your fault|you failed|you are to blame|holding back yourself|you should have|you refuse)\b", re.I
)
HOPELESS = re.compile(
    r"\b(hopeless|too late|no point|never (?:close|change|get better)|however hard|give up on)\b", re.I
)


def test_result_texts_never_blame_and_are_never_hopeless():
    for where, text in person_texts().items():
        if where.startswith(("question.", "option.", "because.")):
            continue  # the person's own words may be hard ones ("hopeless" is asked about)
        assert not BLAME.search(text.replace("not your fault", "")), where
        assert not HOPELESS.search(text), where


def _shown(result: dict) -> list[str]:
    texts = [result["title"], result["summary"]]
    texts += [r["title"] for r in result["reasons"]] + [r["explanation"] for r in result["reasons"]]
    texts += [a["title"] for a in result["also_consider"]] + [a["text"] for a in result["also_consider"]]
    texts += [s["title"] for s in result["steps"]] + [s["advice"] for s in result["steps"]]
    return texts


PERMANENCE = (
    "partner_refuses_to_talk",
    "partner_always_blames",
    "attempts_keep_failing",
    "partner_ignores_feelings",
)


def _p(answers) -> int:
    return sum(answers.get(q) is True for q in PERMANENCE)


# A claim a text makes about the person -> what must then hold for their answers.
CLAIMS = {
    r"both of you are open|you both want|both of you want": lambda a: False,
    r"your partner does not want to work on it": lambda a: a["partner_willing"] == "no",
    r"one person cannot do all the work": lambda a: a["partner_willing"] == "no",
    r"do not show that your partner wants": lambda a: a["partner_willing"] != "yes",
    r"not clear yet whether your partner does": lambda a: a["partner_willing"] in ("unsure", "not_discussed"),
    r"neither of you wants": lambda a: a["self_willing"] == "no" and a["partner_willing"] == "no",
    r"you do not want to work on it": lambda a: a["self_willing"] == "no",
    r"you are not sure yet whether you want": lambda a: a["self_willing"] == "unsure",
    r"whether your partner wants to": lambda a: a["partner_willing"] in ("unsure", "not_discussed"),
    r"ask where they stand": lambda a: a["partner_willing"] in ("unsure", "not_discussed"),
    r"three or more patterns": lambda a: _p(a) >= 3,
    r"two or more patterns": lambda a: _p(a) >= 2,
    r"one or more patterns": lambda a: _p(a) >= 1,
    r"nothing in your answers about the relationship points to lasting distance": lambda a: (
        _p(a) == 0 and a["connecting_leaves_me_worse"] is False
    ),
    r"feeling down and getting little joy": lambda a: (
        a.get("feeling_down") is True and a.get("lost_interest") is True
    ),
    r"reaching out keeps leaving you feeling worse|reaching out leaves you feeling worse": lambda a: (
        a["connecting_leaves_me_worse"] is True
    ),
    r"old hurts still shape": lambda a: a.get("past_hurt_affects_me") is True,
    r"the same problems keep coming back": lambda a: a.get("same_problems_keep_returning") is True,
    r"turning to other people": lambda a: "seeking_connection_elsewhere" in a.get("signs", []),
    r"feeling down for a while": lambda a: a.get("feeling_down") is True,
    r"less joy from things": lambda a: a.get("lost_interest") is True,
}


def test_every_claim_shown_holds_for_the_person_it_is_shown_to(evaluator):
    rng = random.Random(2026)
    checked = {pattern: 0 for pattern in CLAIMS}
    for _ in range(6000):
        raw = garbled_answers(rng)
        try:
            result = assess(evaluator, raw)
        except AnswersInvalid:
            continue
        if result["urgent"]:
            continue  # urgent results make no claim about the relationship (tests/test_decision.py)
        answers = evaluator.decide(raw).answers
        for text in _shown(result):
            for pattern, holds in CLAIMS.items():
                if re.search(pattern, text, re.I):
                    checked[pattern] += 1
                    assert holds(answers), (pattern, text, answers)
    unused = [p for p, n in checked.items() if n == 0 and not p.startswith("both of you")]
    assert unused == []  # every claim was shown at least once, so each check bites


def test_urgent_results_never_repeat_safety_answers_back(evaluator):
    rng = random.Random(99)
    for _ in range(3000):
        raw = garbled_answers(rng)
        try:
            result = assess(evaluator, raw)
        except AnswersInvalid:
            continue
        for reason in result["reasons"]:
            if reason["rule"].startswith("concern-") or reason["rule"] == "safety":
                # Thanks for what was told; or, for a follow-up left unanswered, worded as such.
                assert reason["because"] == [] and reason["explanation"].startswith(
                    ("Thank you", "When safety", "You did not say whether")
                )
                # Safety reasons speak of the topic in general words, never of what was answered.
                for words in ("you said", "you told us you", "controlled", "put down", "hurting yourself"):
                    assert words not in reason["explanation"].lower(), (words, reason["rule"])


def test_rule_texts_auditors_read_are_plain():
    grades = {where: textstat.flesch_kincaid_grade(text) for where, text in rule_texts().items()}
    hard = {where: g for where, g in grades.items() if g > 11 and len(words(rule_texts()[where])) >= 12}
    assert hard == {}


def _thoughts_claimed(text: str) -> bool:
    """A text that speaks of the person's thoughts of suicide as a fact (not as a question or an if)."""
    return bool(
        re.search(
            r"(?<!whether you are having )(?<!if you are having )(?<!or having )\bthoughts\b", text, re.I
        )
    )


def _mood(answers) -> bool:
    return answers.get("feeling_down") is True or answers.get("lost_interest") is True


def _generated_results(evaluator, seed: int, count: int):
    rng = random.Random(seed)
    for _ in range(count):
        raw = garbled_answers(rng)
        try:
            assessment = evaluator.decide(raw)
        except AnswersInvalid:
            continue
        yield raw, as_json(assessment.result), assessment.answers


def test_v21_wording_fits_every_generated_person(evaluator):
    """No "just in case" after a "right now" yes; an attempt is not "thoughts"; no doctor for mood
    without a mood item; walking away with partner caution leads with planning safely."""
    seen = {"now-yes": 0, "attempt-only": 0, "doctor": 0, "caution-walk": 0, "caution-also": 0}
    for raw, result, answers in _generated_results(evaluator, 21, 8000):
        shown = _shown(result)
        if raw.get("suicidal_thoughts_now") is True or raw.get("unsafe_now") is True:
            seen["now-yes"] += 1
            assert not any("just in case" in text.lower() for text in shown), result["title"]
        thoughts = any(
            raw.get(q) is True for q in ("wished_dead", "suicidal_thoughts", "suicidal_thoughts_now")
        )
        if not thoughts:
            seen["attempt-only"] += raw.get("past_attempt") is True
            assert not any(_thoughts_claimed(text) for text in shown), shown
        if result["urgent"]:
            continue
        caution = "partner_control" in result["safety"]["noted"] or bool(
            set(PARTNER_ITEMS) & set(result["safety"]["declined"])
        )
        concern_reasons = {r["explanation"] for r in result["reasons"] if r["rule"].startswith("concern-")}
        doctor = [t for t in shown if "doctor" in t.lower() and t not in concern_reasons]
        doctor += [r["name"] for r in result["resources"] if "doctor" in r["name"].lower()]
        if doctor:
            seen["doctor"] += 1
            assert _mood(answers), doctor
        if result["recommendation"] == "consider_walking_away" and caution:
            seen["caution-walk"] += 1
            assert result["summary"].startswith(
                "If you decide to leave, plan it first with an abuse helpline"
            )
            assert "plan it safely" in result["title"]
        for also in result["also_consider"]:
            if also["recommendation"] == "consider_walking_away" and caution:
                seen["caution-also"] += 1
                assert "plan it first with an abuse helpline or advocate" in also["text"]
    assert all(seen.values()), seen  # every check bit at least once


def test_on_your_own_steps_never_ask_anything_of_the_partner():
    asks = re.compile(
        r"\b(ask|tell (them|your partner)|together|each of you|both of you|with your partner"
        r"|let your partner)\b",
        re.I,
    )
    steps = [
        r.effect for r in load_rulebook().rules() if isinstance(r.effect, StepEffect) and r.effect.on_your_own
    ]
    assert steps
    for step in steps:
        assert not asks.search(step.title + " " + step.advice), step.step


def test_help_for_you_never_cites_choosing_to_walk_away():
    rulebook = load_rulebook()
    for rule in rulebook.rules():
        if getattr(rule.effect, "outcome", None) == "help-for-you":
            assert rule.section != "choosing-to-walk-away", rule.id


def test_no_text_assumes_the_person_is_still_with_the_one_they_fear():
    together = re.compile(r"stay or leave|at home|live with|your home|still with", re.I)
    found = {where: text for where, text in person_texts().items() if together.search(text)}
    found = {w: t for w, t in found.items() if not w.startswith(("question.", "option."))}
    assert found == {}


def test_change_texts_never_judge_nor_touch_feelings_or_safety():
    """would_change's words: about answers, never "severe", never how one feels, never a safety topic."""
    forbidden = re.compile(
        r"severe|felt better|feel better|feeling better|suicid|self-harm|abuse|afraid|frighten|hurt|"
        r"control|insult|mood|down|should",
        re.I,
    )
    changes = {where: text for where, text in person_texts().items() if where.startswith("change.")}
    assert len(changes) > 20
    for where, text in changes.items():
        assert text.startswith("if ") and not forbidden.search(text), where


def test_the_joint_view_s_words_are_plain_and_name_no_one():
    texts = couple_texts()
    grades = {
        where: textstat.flesch_kincaid_grade(text) for where, text in texts.items() if len(words(text)) >= 12
    }
    assert statistics.median(grades.values()) <= 8, grades
    assert {where: grade for where, grade in grades.items() if grade > 11} == {}
    for where, text in texts.items():
        assert not BLAME.search(text) and not HOPELESS.search(text), where
        assert not re.search(r"\bpartner [ab]\b", text, re.I), (
            where
        )  # words for every pair, never one partner
