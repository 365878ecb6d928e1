"""Answer generators shared by the tests: valid sets (service.core.samples) and partial or garbled ones."""

import random

from service.core.samples import random_answers

__all__ = ["random_answers", "garbled_answers"]

JUNK = (1, 0, "yes", "true", None, 4.5, 4.0, "x", [], {}, -1, "Declined", ["resentment", "resentment"])


def garbled_answers(rng: random.Random) -> dict:
    """An answer set as clients really send them: often valid, sometimes partial, wrong or padded."""
    answers = random_answers(rng, safety_rate=rng.choice((0.02, 0.06, 0.2)))
    if rng.random() < 0.05:  # a quiet relationship: few or no step triggers
        answers.update(
            ready_to_share=rng.randint(3, 5),
            walls_when_close=rng.randint(1, 3),
            time_to_listen=rng.randint(3, 5),
            self_willing="yes",
            partner_willing="yes",
            missing_needs=[],
            signs=[],
            same_problems_keep_returning=False,
        )
    draw = rng.random()
    if draw < 0.15:
        for key in rng.sample(list(answers), rng.randint(1, 8)):
            answers.pop(key)
    elif draw < 0.25:
        for key in rng.sample(list(answers), rng.randint(1, 3)):
            answers[key] = rng.choice(JUNK)
    elif draw < 0.3:
        answers["not_a_question"] = rng.choice(JUNK)
    elif draw < 0.35:  # safety answers only, as a person in crisis might send them
        answers = {k: v for k, v in answers.items() if k in SAFETY_ONLY}
    return answers


SAFETY_ONLY = (
    "afraid_of_partner",
    "partner_harmed_me",
    "partner_controls",
    "partner_insults",
    "unsafe_now",
    "wished_dead",
    "suicidal_thoughts",
    "past_attempt",
    "attempt_recent",
    "self_harm",
    "suicidal_thoughts_now",
)
