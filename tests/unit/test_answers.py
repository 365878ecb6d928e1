"""AnswersSchema: strict types, ranges, choices, unknown keys; messages never echo values."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from schemas.answers import accept_plainly_valid, answers_schema


def _errors(answers):
    with pytest.raises(ValidationError) as caught:
        answers_schema.load(answers)
    return caught.value.messages


def test_valid_answers_load_with_defaults(baseline):
    optional = (
        "missing_needs",
        "signs",
        "past_hurt_affects_me",
        "same_problems_keep_returning",
        "feeling_down",
        "lost_interest",
    )
    for question in optional:
        del baseline[question]
    loaded = answers_schema.load(baseline)
    assert loaded["missing_needs"] == [] and loaded["signs"] == []
    assert loaded["past_hurt_affects_me"] is False and loaded["same_problems_keep_returning"] is False
    assert loaded["feeling_down"] is False and loaded["lost_interest"] is False
    # Follow-ups have no default: absent means not asked.
    assert not {"unsafe_now", "attempt_recent", "suicidal_thoughts_now"} & set(loaded)


@pytest.mark.parametrize("value", [True, False, "declined"])
def test_safety_questions_take_yes_no_or_declined(baseline, value):
    assert (
        answers_schema.load({**baseline, "wished_dead": value, "unsafe_now": value})["wished_dead"] == value
    )


def test_defaults_are_not_shared_between_loads(baseline):
    del baseline["signs"]
    answers_schema.load(baseline)["signs"].append("resentment")
    assert answers_schema.load(baseline)["signs"] == []


BAD = [
    ("safety_as_number", "afraid_of_partner", 1, 'true, false or "declined"'),
    ("safety_as_string", "afraid_of_partner", "true", 'true, false or "declined"'),
    ("safety_declined_capitalised", "self_harm", "Declined", 'true, false or "declined"'),
    ("safety_null", "wished_dead", None, "needs an answer"),
    ("follow_up_as_yes", "unsafe_now", "yes", 'true, false or "declined"'),
    ("mood_declined", "feeling_down", "declined", "true or false"),
    ("boolean_as_number", "partner_always_blames", 1, "true or false"),
    ("boolean_as_string", "past_hurt_affects_me", "true", "true or false"),
    ("boolean_as_yes", "partner_refuses_to_talk", "yes", "true or false"),
    ("integer_as_string", "ready_to_share", "4", "whole number from 1 to 5"),
    ("integer_as_float", "ready_to_share", 4.5, "whole number from 1 to 5"),
    ("integer_as_whole_float", "ready_to_share", 4.0, "whole number from 1 to 5"),
    ("integer_as_boolean", "time_to_listen", True, "whole number from 1 to 5"),
    ("integer_too_low", "walls_when_close", 0, "whole number from 1 to 5"),
    ("integer_too_high", "walls_when_close", 6, "whole number from 1 to 5"),
    ("integer_huge", "walls_when_close", 10**40, "whole number from 1 to 5"),
    ("choice_unknown", "self_willing", "maybe", "Choose one of: yes, unsure, no."),
    ("choice_wrong_case", "partner_willing", "Yes", "Choose one of"),
    ("choice_as_boolean", "self_willing", True, "Choose one of"),
    ("choice_null", "self_willing", None, "needs an answer"),
    ("list_as_string", "missing_needs", "respect", "list of choices"),
    ("list_with_unknown", "missing_needs", ["respect", "money"], "must be one of"),
    ("list_with_number", "signs", [1], "must be one of"),
    ("list_with_duplicates", "signs", ["resentment", "resentment"], "only once"),
    ("list_nested", "signs", [["resentment"]], "must be one of"),
]


@pytest.mark.parametrize(("field", "value", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_answer_is_refused_with_a_message_for_its_field(baseline, field, value, message):
    errors = _errors({**baseline, field: value})
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_missing_required_answers_are_each_named(baseline):
    del baseline["afraid_of_partner"], baseline["ready_to_share"]
    errors = _errors(baseline)
    assert errors == {
        "afraid_of_partner": ["This question needs an answer."],
        "ready_to_share": ["This question needs an answer."],
    }


def test_unknown_key_is_refused(baseline):
    assert _errors({**baseline, "favourite_colour": "teal"}) == {
        "favourite_colour": ["This is not a question in this questionnaire."]
    }


@pytest.mark.parametrize("body", [[], "answers", 3, None], ids=["list", "string", "number", "null"])
def test_answers_must_be_an_object(body):
    assert "_schema" in _errors(body)


def test_messages_never_echo_submitted_values(baseline):
    secret = "my-secret-diary-entry"
    errors = _errors({**baseline, "self_willing": secret, "signs": [secret], "ready_to_share": secret})
    assert secret not in str(errors)
    assert set(errors) == {"self_willing", "signs", "ready_to_share"}


def _near_valid():
    """Answer objects: about a quarter fully valid, the rest wrong in a place or two."""
    from schemas.questionnaire import load_questionnaire

    junk = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 9),
        st.floats(allow_nan=False),
        st.text(max_size=4),
        st.lists(st.one_of(st.integers(), st.text(max_size=3)), max_size=2),
        st.dictionaries(st.text(), st.none()),
    )
    parts = {}
    for q in load_questionnaire().questions:
        if q.type == "integer":
            good = st.integers(q.minimum, q.maximum)
        elif q.type == "boolean":
            good = st.booleans()
        elif q.type == "safety":
            good = st.sampled_from([True, False, "declined"])
        elif q.type == "choice":
            good = st.sampled_from(q.values)
        else:
            good = st.lists(st.sampled_from(q.values), max_size=4, unique=True)
            junk_here = st.one_of(junk, st.sampled_from(q.values).map(lambda v: [v, v]))  # a duplicate
        bad = junk_here if q.type == "multi_choice" else junk
        # One in sixteen is junk (one_of would treat repeated branches as one, so choose by number).
        parts[q.id] = st.integers(0, 15).flatmap(lambda i, good=good, bad=bad: bad if i == 15 else good)
    ids = list(parts)
    nothing = st.just({})
    extra = st.one_of(
        nothing,
        nothing,
        nothing,
        st.dictionaries(st.sampled_from(["extra", "Ready_to_share"]), junk, min_size=1, max_size=1),
    )
    dropped = st.one_of(*[st.just(set())] * 3, st.sets(st.sampled_from(ids), min_size=1, max_size=1))
    return st.tuples(st.fixed_dictionaries(parts), dropped, extra).map(
        lambda t: {**{k: v for k, v in t[0].items() if k not in t[1]}, **t[2]}
    )


@settings(max_examples=1500, deadline=None)
@given(_near_valid())
def test_fast_path_accepts_only_what_the_schema_accepts_and_returns_the_same(raw):
    fast = accept_plainly_valid(raw)
    try:
        loaded = answers_schema.load(raw)
    except ValidationError:
        assert fast is None
        return
    assert fast == loaded and list(fast) == list(loaded)


def test_fast_path_engages_for_valid_answers():
    import random

    from tests.answers import random_answers

    rng = random.Random(11)
    for _ in range(500):
        answers = random_answers(rng, omit_optional=True)
        fast = accept_plainly_valid(answers)
        assert fast is not None and fast == answers_schema.load(answers)
