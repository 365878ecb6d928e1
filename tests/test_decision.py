"""Decisions: the engine agrees with an independent reading of the policy; results are well formed."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.questionnaire import article_sections, load_questionnaire
from service.exceptions import AnswersInvalid
from tests.answers import random_answers
from tests.policy import decide


def _decision(result):
    return {
        "recommendation": result["recommendation"],
        "urgent": result["urgent"],
        "steps": {step["id"] for step in result["steps"]},
        "also_consider": result["also_consider"],
    }


def test_engine_agrees_with_the_policy_on_3000_seeded_cases(evaluator):
    rng = random.Random(20261128)
    seen, reported = set(), set()
    for _ in range(3000):
        answers = evaluator.validate(random_answers(rng))
        expected = decide(answers)
        result = evaluator.evaluate(answers)
        assert _decision(result) == expected, answers
        seen.add((expected["recommendation"], expected["urgent"], frozenset(expected["steps"])))
        reported |= {reason["rule"] for reason in result["reasons"]}
    # Every clause, step trigger, fallback and outcome level decided at least one of these cases.
    assert reported == {e.id for e in evaluator.rulebook.entries.values() if e.kind != "derived"}
    # The sample reaches every outcome and every step.
    assert {r for r, _, _ in seen} == {"rebuild", "professional_help", "consider_walking_away"}
    assert any(urgent for _, urgent, _ in seen)
    assert set().union(*(s for _, _, s in seen)) == {
        "open-honest-communication",
        "prioritize-meaningful-quality-time",
        "create-a-safe-emotional-environment",
        "heal-from-past-emotional-wounds",
        "am-i-willing-to-rebuild",
    }


def _answers_strategy():
    parts = {}
    for q in load_questionnaire().questions:
        if q.type == "integer":
            parts[q.id] = st.integers(q.minimum, q.maximum)
        elif q.type == "boolean":
            parts[q.id] = st.booleans()
        elif q.type == "choice":
            parts[q.id] = st.sampled_from(q.values)
        else:
            parts[q.id] = st.lists(st.sampled_from(q.values), unique=True)
    return st.fixed_dictionaries(parts)


@settings(max_examples=300, deadline=None)
@given(_answers_strategy())
def test_engine_agrees_with_the_policy_on_generated_cases(evaluator, answers):
    assert _decision(evaluator.evaluate(answers)) == decide(answers)


@settings(max_examples=100, deadline=None)
@given(_answers_strategy(), st.sampled_from(["afraid_of_partner", "thoughts_of_self_harm"]))
def test_any_safety_flag_gives_urgent_help_only(evaluator, answers, flag):
    result = evaluator.evaluate({**answers, flag: True})
    assert (result["recommendation"], result["urgent"]) == ("professional_help", True)
    assert result["steps"] == [] and result["also_consider"] == []
    assert result["resources"] and result["reasons"][0]["rule"] == "safety-first"
    assert all(
        r["rule"].startswith("safety")
        for r in result["reasons"]
        if r["rule"] != "seeking-connection-elsewhere"
    )


def test_every_reason_cites_a_real_section_and_the_answers_it_read(evaluator):
    rng = random.Random(7)
    sections = article_sections()
    for _ in range(300):
        answers = evaluator.validate(random_answers(rng))
        for reason in evaluator.evaluate(answers)["reasons"]:
            assert reason["section"] in sections
            assert reason["explanation"] and reason["title"]
            assert all(answers[q] == v for q, v in reason["answers"].items())


def test_walking_away_names_support_and_cites_choosing_to_walk_away(evaluator, baseline):
    result = evaluator.evaluate({**baseline, "self_willing": "no", "partner_willing": "no"})
    assert result["recommendation"] == "consider_walking_away"
    assert "counselor" in result["summary"] and "someone you trust" in result["summary"]
    assert "choosing-to-walk-away" in [r["section"] for r in result["reasons"]]
    assert result["steps"] == [] and result["resources"] == []


def test_every_fired_rule_that_counts_is_reported(evaluator, baseline):
    answers = {
        **baseline,
        "past_hurt_affects_me": True,
        "same_problems_keep_returning": True,
        "signs": ["seeking_connection_elsewhere", "growing_distance"],
    }
    rules = [r["rule"] for r in evaluator.evaluate(answers)["reasons"]]
    assert rules == [
        "professional-help",
        "help-past-hurt",
        "help-same-problems-return",
        "step-quality-time",
        "step-heal-past-wounds",
        "seeking-connection-elsewhere",
    ]


def test_result_carries_notice_and_ruleset(evaluator, baseline, rulebook):
    result = evaluator.evaluate(baseline)
    assert result["notice"].startswith("Closeness is decision support")
    assert result["ruleset"] == {"version": rulebook.version, "digest": rulebook.digest}
    assert set(result) == {
        "recommendation",
        "urgent",
        "summary",
        "reasons",
        "steps",
        "also_consider",
        "notice",
        "resources",
        "ruleset",
    }


def test_steps_carry_title_advice_and_section(evaluator, baseline):
    step = evaluator.evaluate({**baseline, "missing_needs": ["quality_time"]})["steps"][0]
    assert step["id"] == step["section"] == "prioritize-meaningful-quality-time"
    assert step["title"] and len(step["advice"]) > 40


def test_result_does_not_depend_on_key_or_item_order(evaluator, baseline):
    answers = {
        **baseline,
        "missing_needs": ["respect", "quality_time", "honest_talks"],
        "signs": ["resentment", "growing_distance"],
    }
    shuffled = dict(reversed(list(answers.items())))
    shuffled["missing_needs"] = list(reversed(answers["missing_needs"]))
    shuffled["signs"] = list(reversed(answers["signs"]))
    assert evaluator.evaluate(shuffled) == evaluator.evaluate(answers)


def test_invalid_answers_raise_with_field_messages(evaluator, baseline):
    with pytest.raises(AnswersInvalid) as caught:
        evaluator.evaluate({**baseline, "ready_to_share": 9})
    assert caught.value.messages == {"ready_to_share": ["Choose a whole number from 1 to 5."]}


def test_configured_resources_replace_the_defaults(rulebook, baseline):
    from service.decision import Evaluator

    own = [{"name": "Our practice", "description": "Call our on-call counselor."}]
    result = Evaluator(rulebook, own).evaluate({**baseline, "thoughts_of_self_harm": True})
    assert result["resources"] == own


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
    before = evaluator.evaluate({**answers, sign: False})
    after = evaluator.evaluate({**answers, sign: True})
    if before["urgent"]:
        assert after["urgent"]
    else:
        assert SEVERITY[after["recommendation"]] >= SEVERITY[before["recommendation"]]


@settings(max_examples=200, deadline=None)
@given(_answers_strategy(), st.randoms(use_true_random=False))
def test_result_is_independent_of_key_and_item_order(evaluator, answers, rng):
    keys = list(answers)
    rng.shuffle(keys)
    shuffled = {
        key: (rng.sample(answers[key], len(answers[key])) if isinstance(answers[key], list) else answers[key])
        for key in keys
    }
    assert evaluator.evaluate(shuffled) == evaluator.evaluate(answers)


@settings(max_examples=200, deadline=None)
@given(_answers_strategy())
def test_every_reason_cites_a_real_section_for_any_answers(evaluator, answers):
    sections = article_sections()
    result = evaluator.evaluate(answers)
    assert result["reasons"] and all(reason["section"] in sections for reason in result["reasons"])
    assert all(step["section"] in sections for step in result["steps"])
