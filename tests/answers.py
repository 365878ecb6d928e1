"""Random answer sets over the whole questionnaire, shared by the tests that need many cases."""

import random

from schemas.questionnaire import load_questionnaire


def random_answers(rng: random.Random, omit_optional: bool = False) -> dict:
    """One valid answer set; safety flags are rarer so that every clause gets exercised."""
    answers = {}
    for question in load_questionnaire().questions:
        if omit_optional and not question.required and rng.random() < 0.5:
            continue
        if question.type == "integer":
            answers[question.id] = rng.randint(question.minimum, question.maximum)
        elif question.type == "boolean":
            chance = 0.08 if question.section == "seek-professional-help-if-needed" else 0.3
            answers[question.id] = rng.random() < chance
        elif question.type == "choice":
            answers[question.id] = rng.choice(question.values)
        else:
            answers[question.id] = rng.sample(question.values, rng.randint(0, min(3, len(question.values))))
    return answers
