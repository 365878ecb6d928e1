"""The joint view, decided by the couple rules on the real durable_rules engine, against an independent
transcription of shared/spec/couple-mode.md (tests/couple_policy.py)."""

import random
from dataclasses import replace

import pytest

from service.core.couple import JointDecider
from service.core.couple_result import PairMemory, Submission
from tests import couple_policy


@pytest.fixture(scope="module")
def decider(rulebook):
    return JointDecider(rulebook)


def _submission(evaluator, answers) -> Submission:
    assessment = evaluator.decide(answers)
    return Submission(assessment.answers, assessment.result, assessment.fired, "2026-12-05T10:00:00+00:00")


def _memory(signal_before=(), withdrew=()) -> PairMemory:
    return PairMemory(frozenset(signal_before), frozenset(withdrew))


def _pairs(count: int, seed: int, signal_chance: float):
    rng = random.Random(seed)
    for _ in range(count):
        yield (
            couple_policy.random_answers(rng, signal_chance),
            couple_policy.random_answers(rng, signal_chance),
        )


def _compare(decider, evaluator, a, b, memory=None, signal_before=(), withdrew=()):
    memory = memory or _memory(signal_before, withdrew)
    view = decider.decide({"a": _submission(evaluator, a), "b": _submission(evaluator, b)}, memory)
    expected = couple_policy.joint(a, b, signal_before, withdrew)
    assert view.level == expected["level"], (a, b)
    if expected["gaps"] is None:
        assert view.comparison is None and view.steps is None
        return view
    gaps = [(g.seen_by, g.about, g.thinks, g.says) for g in view.comparison.perception_gaps]
    assert gaps == expected["gaps"]
    assert [(s.id, s.for_) for s in view.steps] == expected["steps"], (a, b)
    return view


def test_joint_levels_gaps_and_steps_match_the_transcription_on_3000_pairs(decider, evaluator):
    levels = set()
    for a, b in _pairs(3000, seed=23, signal_chance=0.15):
        levels.add(_compare(decider, evaluator, a, b).level)
    # every level was reached, so the comparison covered them all
    assert levels == {level.level for level in decider.couple.levels}


@pytest.mark.parametrize("role", ["a", "b"])
@pytest.mark.parametrize(
    "signal",
    [
        pytest.param({"afraid_of_partner": True, "unsafe_now": True}, id="urgent"),
        pytest.param({"partner_controls": True, "unsafe_now": False}, id="noted"),
        pytest.param({"partner_insults": "declined"}, id="declined"),
        pytest.param({"self_harm": "declined"}, id="declined-self"),
    ],
)
def test_any_signal_in_either_partner_gates_the_pair(decider, evaluator, baseline, role, signal):
    signalled = {**baseline, **signal}
    a, b = (signalled, baseline) if role == "a" else (baseline, signalled)
    view = _compare(decider, evaluator, a, b)
    assert view.level == "see_each_alone"
    assert view == decider.gated()


@pytest.mark.parametrize("role", ["a", "b"])
@pytest.mark.parametrize("memory", ["signal_before", "withdrew"])
def test_the_gate_remembers_a_signal_before_and_a_withdrawal(decider, evaluator, baseline, role, memory):
    view = _compare(decider, evaluator, baseline, baseline, **{memory: (role,)})
    assert view.level == "see_each_alone"


def test_all_gated_views_are_identical_and_name_nothing(decider, evaluator, baseline):
    views = set()
    for signal in ({"afraid_of_partner": True, "unsafe_now": True}, {"wished_dead": "declined"}, {}):
        for memory in (_memory(), _memory(withdrew=("b",))):
            a = {**baseline, **signal}
            view = decider.decide(
                {"a": _submission(evaluator, a), "b": _submission(evaluator, baseline)}, memory
            )
            if view.level == "see_each_alone":
                views.add(view)
    assert len(views) == 1
    (view,) = views
    words = f"{view.title} {view.text} {view.notice}".lower()
    for leak in (
        "partner a",
        "partner b",
        "suicid",
        "harm",
        "afraid",
        "control",
        "declined",
        "mood",
        "safety",
    ):
        assert leak not in words


def test_the_comparison_splits_needs_and_signs_and_shows_one_mood_item(decider, evaluator, baseline):
    a = {
        **baseline,
        "missing_needs": ["respect", "quality_time"],
        "signs": ["push_pull"],
        "feeling_down": True,
    }
    b = {**baseline, "missing_needs": ["quality_time", "physical_closeness"], "signs": []}
    view = _compare(decider, evaluator, a, b)
    comparison = view.comparison
    assert comparison.missing_needs.shared == ("quality_time",)
    assert comparison.missing_needs.only_a == ("respect",)
    assert comparison.missing_needs.only_b == ("physical_closeness",)
    assert comparison.signs.only_a == ("push_pull",) and comparison.signs.shared == ()
    assert comparison.mood["a"]["prompt"] and comparison.mood["b"]["prompt"] is None
    assert view.level == "rebuild_together"  # one mood item changes no level
    assert comparison.limits and comparison.own["a"].recommendation == "rebuild"


def test_not_discussed_is_always_a_gap(decider, evaluator, baseline):
    a = {**baseline, "partner_willing": "not_discussed"}
    view = _compare(decider, evaluator, a, baseline)
    assert [(g.seen_by, g.thinks, g.says) for g in view.comparison.perception_gaps] == [
        ("a", "not_discussed", "yes")
    ]
    assert view.steps[0].id == "talk-about-willingness" and view.steps[0].for_ == ("a", "b")


def test_leaning_out_levels_give_no_steps(decider, evaluator, baseline):
    no = {**baseline, "self_willing": "no", "missing_needs": ["quality_time"]}
    assert _compare(decider, evaluator, no, no).steps == ()
    assert _compare(decider, evaluator, no, baseline).steps == ()


def test_each_partners_own_result_is_in_the_comparison(decider, evaluator, baseline):
    walking = {
        **baseline,
        "partner_refuses_to_talk": True,
        "partner_always_blames": True,
        "partner_ignores_feelings": True,
        "partner_willing": "unsure",
    }
    view = _compare(decider, evaluator, walking, baseline)
    assert view.level == "mixed_agenda"
    assert view.comparison.own["a"].recommendation == "consider_walking_away"
    assert view.comparison.own["a"].title


def test_a_submission_decided_twice_gives_the_same_view(decider, evaluator, baseline):
    one = _submission(evaluator, baseline)
    first = decider.decide({"a": one, "b": one}, _memory())
    second = decider.decide({"a": replace(one), "b": one}, _memory())
    assert first == second
