"""What people read: the project's own words, plain, never blaming or hopeless, true for each person."""

import random
import re
import statistics
from pathlib import Path

import pytest
import textstat

from service.core.exceptions import AnswersInvalid
from tests.answers import garbled_answers
from tests.content import clinician_texts, person_texts, words
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
        root / "service" / "interop" / "cds_hooks.py",
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
    r"until your mood has had some care": lambda a: (
        a.get("feeling_down") is True and a.get("lost_interest") is True
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
            result = evaluator.assess(raw)
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
            result = evaluator.assess(raw)
        except AnswersInvalid:
            continue
        for reason in result["reasons"]:
            if reason["basis"] == "safety-guidance":
                assert reason["because"] == [] and reason["explanation"].startswith(
                    ("Thank you", "When safety")
                )
                # Safety reasons speak of the topic in general words, never of what was answered.
                for words in ("you said", "you told us you", "controlled", "put down", "hurting yourself"):
                    assert words not in reason["explanation"].lower(), (words, reason["rule"])
