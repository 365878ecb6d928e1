"""Domain exceptions; every one derives from ClosenessError."""


class ClosenessError(Exception):
    """Base class of the service's own errors."""


class EngineError(ClosenessError):
    """The rules engine failed to evaluate a case (a bug or a broken environment, never the client)."""


class AnswersInvalid(ClosenessError):
    """Answers that do not fit the questionnaire; messages per question, never the values."""

    def __init__(self, messages: dict, safety_resources: tuple | None = None, retired: str | None = None):
        super().__init__("answers do not fit the questionnaire")
        self.messages = messages
        self.safety_resources = safety_resources  # support, when a safety answer was yes or declined
        self.retired = retired  # why, when the answers were written for a retired questionnaire


class DecisionLogUnavailable(ClosenessError):
    """The decision log's database did not answer a read in time (or the readers all wait on it)."""
