"""Decisions: the engine agrees with an independent reading of the policy; results are well formed."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.questionnaire import article_sections, load_questionnaire
from schemas.resources import ResourceSchema
from service.audit.impact import decision_of
from service.core.decision import Evaluator
from service.core.exceptions import AnswersInvalid
from tests.answers import JUNK, SAFETY_ONLY, garbled_answers, random_answers
from tests.policy import QUESTIONS, _accepts, decide
from tests.results import as_json, assess


def _decide(evaluator, raw):
    try:
        return decision_of(evaluator.decide(raw).result)
    except AnswersInvalid:
        return None


def test_engine_agrees_with_the_policy_on_6000_seeded_cases(evaluator):
    """Valid, partial, garbled, safety-only, declined and skipped-follow-up answer sets."""
    rng = random.Random(20261202)
    reported, winners, steps, outcomes = set(), set(), set(), set()
    for _ in range(6000):
        raw = garbled_answers(rng)
        expected = decide(raw)
        try:
            typed = evaluator.decide(raw).result
        except AnswersInvalid:
            assert expected is None, raw
            outcomes.add("422")
            continue
        assert decision_of(typed) == expected, raw
        result = as_json(typed)
        reported |= {reason["rule"] for reason in result["reasons"]}
        winners.add(result["reasons"][0]["rule"])
        steps |= {step["id"] for step in result["steps"]}
        outcomes.add((result["recommendation"], result["urgent"]))
    rulebook = evaluator.rulebook
    # Every rule and every level decided at least one of these cases; every step was given.
    assert reported == {e.id for e in rulebook.entries.values() if e.kind != "derived"}
    assert winners == {e.id for e in rulebook.of_kind("outcome")}
    assert steps == set(rulebook.step_order)
    assert outcomes == {
        "422",
        ("rebuild", False),
        ("professional_help", False),
        ("professional_help", True),
        ("consider_walking_away", False),
    }


def _answers_strategy():
    parts = {}
    for q in load_questionnaire().questions:
        if q.is_follow_up:
            continue
        if q.type == "integer":
            parts[q.id] = st.integers(q.minimum, q.maximum)
        elif q.type == "boolean":
            parts[q.id] = st.booleans()
        elif q.type == "safety":
            parts[q.id] = st.sampled_from([False, False, False, False, True, "declined"])
        elif q.type == "choice":
            parts[q.id] = st.sampled_from(q.values)
        else:
            parts[q.id] = st.lists(st.sampled_from(q.values), unique=True)
    follow_ups = st.fixed_dictionaries(
        {},
        optional={q.id: st.sampled_from([True, False, "declined"]) for q in load_questionnaire().follow_ups},
    )
    return st.tuples(st.fixed_dictionaries(parts), follow_ups).map(lambda t: {**t[0], **t[1]})


@settings(max_examples=300, deadline=None)
@given(_answers_strategy())
def test_engine_agrees_with_the_policy_on_generated_cases(evaluator, answers):
    assert _decide(evaluator, answers) == decide(answers)


URGENT_ALONE = [
    ({"wished_dead": True}, "suicide_risk_now"),  # the skipped follow-up counts as yes
    ({"suicidal_thoughts": True, "suicidal_thoughts_now": False}, "suicide_risk"),
    ({"past_attempt": True, "attempt_recent": "declined", "suicidal_thoughts_now": False}, "suicide_risk"),
    ({"suicidal_thoughts_now": True}, "suicide_risk_now"),
    ({"afraid_of_partner": True, "unsafe_now": True}, "partner_safety_now"),
    ({"partner_insults": True}, "partner_safety_now"),
    ({"partner_harmed_me": True, "unsafe_now": False}, "partner_safety"),
    ({"attempt_recent": True}, "suicide_risk"),  # a recent attempt counts even without its trigger
]


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(URGENT_ALONE),
    st.dictionaries(
        st.sampled_from(
            [q.id for q in load_questionnaire().questions if not q.is_safety] + ["extra", "note"]
        ),
        st.sampled_from(JUNK),
        max_size=6,
    ),
)
def test_an_urgent_concern_decides_whatever_else_is_wrong(evaluator, urgent, garbage):
    answers, concern = urgent
    result = assess(evaluator, {**garbage, **answers})
    assert (result["recommendation"], result["urgent"]) == ("professional_help", True)
    assert result["safety"]["urgent"][0] == concern
    assert result["steps"] == [] and result["also_consider"] == []
    assert result["resources"] and result["title"]
    assert [r["basis"] for r in result["reasons"]] == ["safety-guidance"] * len(result["reasons"])
    assert all(r["because"] == [] for r in result["reasons"])
    warned = {w["question"] for w in result["warnings"]}
    # Every required relationship answer missing or wrong is named, never with its value.
    for question in load_questionnaire().questions:
        if question.required and not question.is_safety and question.id not in garbage:
            assert question.id in warned
    for key, value in garbage.items():
        assert (key in warned) == (key not in QUESTIONS or not _accepts(key, value))
    assert all(set(w) == {"question", "message"} for w in result["warnings"])


def test_a_skipped_follow_up_is_named_in_warnings(evaluator, baseline):
    result = assess(evaluator, {**baseline, "afraid_of_partner": True})
    assert result["safety"]["urgent"] == ["partner_safety_now"]
    assert result["warnings"] == [
        {"question": "unsafe_now", "message": "Not answered yes or no, so it was counted as yes, to be safe."}
    ]


def test_a_follow_up_without_its_trigger_counts_only_when_true(evaluator, baseline):
    assert assess(evaluator, {**baseline, "unsafe_now": False})["urgent"] is False
    assert assess(evaluator, {**baseline, "unsafe_now": "declined"})["urgent"] is False
    result = assess(evaluator, {**baseline, "unsafe_now": True})
    assert result["safety"]["urgent"] == ["partner_safety_now"] and result["warnings"] == []


def test_a_declined_trigger_neither_asks_nor_counts_its_follow_up(evaluator, baseline):
    result = assess(evaluator, {**baseline, "afraid_of_partner": "declined", "wished_dead": "declined"})
    assert result["urgent"] is False
    assert result["safety"] == {"urgent": [], "noted": [], "declined": ["afraid_of_partner", "wished_dead"]}
    # Declined topics get their support first, worded for everyone.
    assert [r["name"] for r in result["resources"]][:2] == [
        "If your partner ever frightens, controls or hurts you",
        "If you ever think about ending your life",
    ]


def test_without_an_urgent_concern_the_base_safety_questions_are_required(evaluator, baseline):
    del baseline["self_harm"]
    with pytest.raises(AnswersInvalid) as caught:
        assess(evaluator, baseline)
    assert caught.value.messages == {"self_harm": ["This question needs an answer."]}
    assert caught.value.safety_resources is None


def test_a_422_with_a_safety_yes_carries_support(evaluator, baseline):
    del baseline["ready_to_share"]
    with pytest.raises(AnswersInvalid) as caught:
        assess(evaluator, {**baseline, "partner_controls": True, "unsafe_now": False})
    assert list(caught.value.messages) == ["ready_to_share"]
    names = [r.name for r in caught.value.safety_resources]
    assert names[0] == "If your partner ever frightens, controls or hurts you"


def test_v1_answers_are_refused_naming_the_retired_questionnaire(evaluator):
    v1 = {"ready_to_share": 4, "afraid_of_partner": False, "thoughts_of_self_harm": True}
    with pytest.raises(AnswersInvalid) as caught:
        assess(evaluator, v1)
    assert "closeness-v1" in caught.value.retired and "closeness-v2" in caught.value.retired
    assert "closeness-v1" in caught.value.messages["thoughts_of_self_harm"][0]
    # v1's self-harm question answered yes: support for that topic goes out with the 422.
    assert "If you ever think about ending your life" in [r.name for r in caught.value.safety_resources]


def test_every_reason_cites_a_real_section_with_its_basis_and_the_answers_that_held(evaluator):
    rng = random.Random(7)
    sections = article_sections()
    questionnaire = load_questionnaire()
    for _ in range(400):
        answers = random_answers(rng)
        for reason in assess(evaluator, answers)["reasons"]:
            assert reason["section"] in sections and reason["explanation"] and reason["title"]
            assert reason["basis"] in ("article", "safety-guidance")
            if reason["basis"] == "safety-guidance":
                assert reason["section"] == "seek-professional-help-if-needed"
            for item in reason["because"]:
                question = questionnaire.question(item["question"])
                assert not question.is_safety  # safety answers are never repeated back
                if question.type == "multi_choice":
                    assert set(item["answer"]) <= set(answers[item["question"]]) and item["answer"]
                else:
                    assert answers[item["question"]] == item["answer"]
                assert item["text"].startswith("You ")


def test_because_names_only_what_this_person_said(evaluator, baseline):
    result = assess(evaluator, {**baseline, "missing_needs": ["quality_time", "respect"]})
    reason = next(r for r in result["reasons"] if r["rule"] == "step-quality-time")
    assert reason["because"] == [
        {
            "question": "missing_needs",
            "answer": ["quality_time"],
            "text": "You said you miss time together with full attention.",
        }
    ]


def test_the_walk_away_summary_is_gentle_and_names_support(evaluator, baseline):
    result = assess(
        evaluator,
        {**baseline, "self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True},
    )
    assert result["recommendation"] == "consider_walking_away"
    summary = result["summary"]
    assert "counselor" in summary and "someone you trust" in summary and "abuse helpline" in summary
    assert "alone or quickly" in summary and "not giving up" in summary
    assert result["steps"] == [] and [a["recommendation"] for a in result["also_consider"]] == [
        "professional_help"
    ]
    assert result["also_consider"][0]["text"]
    assert len(result["resources"]) <= 4 and result["resources"][0]["name"] == "A counselor"


def test_low_mood_keeps_walking_away_from_winning(evaluator, baseline):
    answers = {**baseline, "self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True}
    result = assess(evaluator, {**answers, "feeling_down": True, "lost_interest": True})
    assert result["recommendation"] == "professional_help"
    assert [a["recommendation"] for a in result["also_consider"]] == ["consider_walking_away"]
    assert "support for yourself" in result["also_consider"][0]["text"]
    assert result["title"] == "Staying or leaving: no need to choose now"
    assert result["resources"][-1]["name"] == "Your doctor"
    # The walk-away rules are not repeated as reasons when their level is only listed.
    assert not [r for r in result["reasons"] if r["rule"].startswith("walk-away")]


def test_reasons_come_in_the_spec_order(evaluator, baseline):
    answers = {
        **baseline,
        "partner_insults": True,
        "unsafe_now": False,
        "past_hurt_affects_me": True,
        "signs": ["seeking_connection_elsewhere", "push_pull"],
        "feeling_down": True,
    }
    result = assess(evaluator, answers)
    assert [r["rule"] for r in result["reasons"]] == [
        "help-for-you",
        "concern-partner-control",
        "help-past-hurt",
        "finding-feeling-down",
        "finding-seeking-connection-elsewhere",
    ]
    assert result["steps"] == []  # a noted partner_control concern withholds every step


def test_result_has_the_v2_shape(evaluator, baseline, rulebook):
    result = assess(evaluator, baseline)
    assert result["ruleset"] == {"version": rulebook.version, "digest": rulebook.digest}
    assert result["questionnaire"] == {"id": "closeness-v2", "version": "2"}
    assert list(result) == [
        "recommendation",
        "urgent",
        "safety",
        "title",
        "summary",
        "reasons",
        "steps",
        "also_consider",
        "notice",
        "resources",
        "warnings",
        "questionnaire",
        "ruleset",
    ]
    notice = result["notice"]
    assert "reflect" in notice and "not therapy" in notice and "emergency" in notice and "diagnose" in notice


def test_every_result_has_resources_and_calm_results_at_most_four(evaluator):
    rng = random.Random(3)
    for _ in range(500):
        result = assess(evaluator, random_answers(rng))
        assert result["resources"]
        safety = result["safety"]
        if not (safety["urgent"] or safety["noted"] or safety["declined"]):
            assert len(result["resources"]) <= 4


def test_urgent_results_name_concern_specific_support(evaluator, baseline):
    expected = {
        "suicide_risk_now": ({"suicidal_thoughts_now": True}, "A crisis line", "emergency number"),
        "partner_safety_now": ({"afraid_of_partner": True}, "An abuse helpline", "emergency number"),
        "suicide_risk": ({"wished_dead": True, "suicidal_thoughts_now": False}, "A crisis line", "today"),
        "partner_safety": (
            {"afraid_of_partner": True, "unsafe_now": False},
            "An abuse helpline",
            "not your fault",
        ),
    }
    for concern, (answers, resource, words) in expected.items():
        result = assess(evaluator, {**baseline, **answers})
        assert result["safety"]["urgent"] == [concern]
        assert resource in [r["name"] for r in result["resources"]]
        assert words in result["summary"]
    self_harm_and_partner = assess(evaluator, {**baseline, "suicidal_thoughts_now": True, "unsafe_now": True})
    assert self_harm_and_partner["summary"].startswith("Please call your local emergency number now.")
    assert "advocate" not in assess(evaluator, {**baseline, "suicidal_thoughts": True})["summary"]


def test_steps_carry_title_advice_and_section(evaluator, baseline):
    step = assess(evaluator, {**baseline, "missing_needs": ["physical_closeness"]})["steps"][0]
    assert step == {
        "id": "bring-back-closeness",
        "title": step["title"],
        "advice": step["advice"],
        "section": "emotional-and-physical-distance",
    }
    assert step["title"] and len(step["advice"]) > 40


@settings(max_examples=200, deadline=None)
@given(_answers_strategy(), st.randoms(use_true_random=False))
def test_result_is_independent_of_key_and_item_order(evaluator, answers, rng):
    keys = list(answers)
    rng.shuffle(keys)
    shuffled = {
        key: (rng.sample(answers[key], len(answers[key])) if isinstance(answers[key], list) else answers[key])
        for key in keys
    }
    try:
        expected = assess(evaluator, answers)
    except AnswersInvalid:
        with pytest.raises(AnswersInvalid):
            assess(evaluator, shuffled)
        return
    assert assess(evaluator, shuffled) == expected


SEVERITY = {"rebuild": 0, "professional_help": 1, "consider_walking_away": 2}
PERMANENCE = (
    "partner_refuses_to_talk",
    "partner_always_blames",
    "attempts_keep_failing",
    "partner_ignores_feelings",
)


@settings(max_examples=300, deadline=None)
@given(_answers_strategy(), st.sampled_from(PERMANENCE))
def test_another_permanence_sign_never_moves_toward_rebuild(evaluator, answers, sign):
    before = assess(evaluator, {**answers, sign: False})
    after = assess(evaluator, {**answers, sign: True})
    if before["urgent"]:
        assert after["urgent"]
    elif before["recommendation"] != "rebuild":
        assert after["recommendation"] != "rebuild"


def test_configured_resources_replace_the_defaults(rulebook, baseline):
    own = [
        {
            "name": "Our practice",
            "description": "Call our on-call counselor.",
            "phone": "555-0100",
            "for": ["suicide_risk_now", "rebuild"],
        },
    ]
    evaluator = Evaluator(rulebook, ResourceSchema(many=True).load(own))
    assert assess(evaluator, {**baseline, "suicidal_thoughts_now": True})["resources"] == own
    assert assess(evaluator, baseline)["resources"] == own


def test_safety_only_answers_fit_the_questionnaire():
    assert set(SAFETY_ONLY) == {q.id for q in load_questionnaire().safety_questions}


def test_the_calm_list_is_never_more_than_four(rulebook, baseline):
    calm = ["rebuild", "professional_help", "consider_walking_away"]
    own = [{"name": f"Calm {i}", "description": "A place to turn.", "for": calm} for i in range(5)]
    own += [{"name": "Doctor", "description": "Your doctor.", "for": ["mood"]}]
    own += [{"name": "Safety", "description": "For concerns.", "for": list(rulebook.concerns)}]
    evaluator = Evaluator(rulebook, ResourceSchema(many=True).load(own))
    names = [r["name"] for r in assess(evaluator, {**baseline, "feeling_down": True})["resources"]]
    assert names == ["Calm 0", "Calm 1", "Calm 2", "Doctor"]
    assert [r["name"] for r in assess(evaluator, baseline)["resources"]] == ["Calm 0", "Calm 1", "Calm 2"]
