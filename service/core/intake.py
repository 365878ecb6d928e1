"""Reading answers: strict validation that keeps what is valid, and the safety follow-ups' rule.

An urgent safety concern must decide a result even when other answers are missing or wrong, so
validation does not stop at the first problem: it keeps every valid answer, lists the problems
per question, and leaves the decision (422, or an urgent result with warnings) to the evaluator.
"""

from dataclasses import dataclass, field
from functools import cached_property

from marshmallow import ValidationError

from schemas.answers import accept_plainly_valid, answers_schema
from schemas.questionnaire import DECLINED, load_questionnaire
from service.core.result import AnswerWarning

SKIPPED_FOLLOW_UP = "Not answered yes or no, so it was counted as yes, to be safe."
# The one question only v1 asked: its presence marks an answer set for the retired questionnaire.
V1_ONLY_KEY = "thoughts_of_self_harm"
_NOT_AN_OBJECT = {"_schema": ["Send the answers as one JSON object with a key for each question."]}


@dataclass
class Intake:
    """What one set of raw answers gives: valid answers, the engine's facts and the problems."""

    answers: dict  # every valid answer, defaults filled in, as sent
    facts: dict  # what the engine sees: the answers, each follow-up as whether it counts as yes
    errors: dict = field(default_factory=dict)  # question id or key -> messages (never the values)
    skipped: list = field(default_factory=list)  # follow-ups counted as yes because they were skipped
    retired: str | None = None  # the retired questionnaire these answers were written for
    retired_safety_yes: bool = False  # v1's self-harm question answered yes

    @property
    def valid(self) -> bool:
        return not self.errors

    @cached_property
    def declined(self) -> tuple[str, ...]:
        """Base safety questions answered "I'd rather not say", in the questionnaire's order."""
        answers = self.answers
        return tuple([question_id for question_id in _BASE_SAFETY if answers.get(question_id) == DECLINED])

    @property
    def warnings(self) -> tuple[AnswerWarning, ...]:
        """What an urgent result ignored or assumed, per question or key; never an answer's value."""
        ignored = [
            AnswerWarning(key, " ".join(messages))
            for key, messages in self.errors.items()
            if key not in self.skipped
        ]
        return (*ignored, *(AnswerWarning(question_id, SKIPPED_FOLLOW_UP) for question_id in self.skipped))


def _follow_ups(answers: dict) -> tuple[dict, list]:
    """Whether each follow-up counts as yes, and which were counted so because they were skipped.

    A follow-up counts as yes when it is true, and also when one of its triggers is true and the
    follow-up is anything but false (missing, "declined" or invalid): a skipped follow-up errs
    toward support. Without a true trigger, only a true follow-up counts.
    """
    counted, skipped = {}, []
    for question_id, triggers in _FOLLOW_UPS:
        value = answers.get(question_id)
        if value is True:
            counted[question_id] = True
        elif value is not False and True in [answers.get(trigger) is True for trigger in triggers]:
            counted[question_id] = True
            skipped.append(question_id)
        else:
            counted[question_id] = False
    return counted, skipped


_BASE_SAFETY = tuple(q.id for q in load_questionnaire().base_safety_questions)
_FOLLOW_UPS = tuple((q.id, tuple(q.follow_up_of)) for q in load_questionnaire().follow_ups)


def read_answers(raw, problems: dict | None = None) -> Intake:
    """Validate raw answers, keeping the valid ones; problems found elsewhere (FHIR) are added."""
    if not isinstance(raw, dict):
        return Intake({}, _follow_ups({})[0], dict(_NOT_AN_OBJECT))
    answers = accept_plainly_valid(raw)
    errors: dict = {}
    if answers is None:
        try:
            answers = answers_schema.load(raw)
        except ValidationError as error:
            answers = dict(error.valid_data or {})
            errors = {key: list(messages) for key, messages in error.messages.items()}
    retired, retired_safety_yes = None, False
    if V1_ONLY_KEY in raw:
        retired, retired_safety_yes = "closeness-v1", raw[V1_ONLY_KEY] is True
        errors[V1_ONLY_KEY] = [retired_message(retired, "This question belongs to")]
    for key, messages in (problems or {}).items():
        errors[key] = list(messages)  # the reader's own words say best what is wrong with that item
    counted, skipped = _follow_ups(answers)
    facts = {**answers, **counted}
    return Intake(answers, facts, errors, skipped, retired, retired_safety_yes)


def retired_message(questionnaire_id: str | None, lead: str = "These answers are for") -> str | None:
    """The one wording for answers written for a retired questionnaire."""
    if not questionnaire_id:
        return None
    return (
        f"{lead} questionnaire {questionnaire_id}, which was retired. "
        f"Answer questionnaire {load_questionnaire().id} instead (GET /v1/questionnaire)."
    )
