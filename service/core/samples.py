"""Seeded random answer sets over the whole questionnaire, for impact analysis, tests and benchmarks."""

import random

from schemas.questionnaire import DECLINED, load_questionnaire


def random_answers(rng: random.Random, safety_rate: float = 0.06, omit_optional: bool = False) -> dict:
    """One valid answer set. Safety answers are rarely yes or declined, so every level is reached;
    follow-ups are answered (or skipped) only when a trigger is yes, as the form asks them."""
    answers: dict = {}
    for question in load_questionnaire().questions:
        if question.is_follow_up:
            if any(answers.get(t) is True for t in question.follow_up_of):
                draw = rng.random()
                if draw < 0.7:
                    answers[question.id] = draw < 0.25
                elif draw < 0.8:
                    answers[question.id] = DECLINED
            continue
        if omit_optional and not question.required and rng.random() < 0.5:
            continue
        if question.type == "safety":
            draw = rng.random()
            answers[question.id] = (
                True if draw < safety_rate else DECLINED if draw < safety_rate * 1.5 else False
            )
        elif question.type == "integer":
            answers[question.id] = rng.randint(question.minimum, question.maximum)
        elif question.type == "boolean":
            answers[question.id] = rng.random() < 0.3
        elif question.type == "choice":
            answers[question.id] = rng.choice(question.values)
        else:
            answers[question.id] = [v for v in question.values if rng.random() < 0.25]
    return answers
