"""BaseSchema and strict JSON fields whose messages speak to the person answering."""

from marshmallow import RAISE, Schema, fields


class BaseSchema(Schema):
    """Unknown keys are refused; messages never repeat the submitted value."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "This is not a question in this questionnaire.",
        "type": "Send the answers as one JSON object with a key for each question.",
    }


class _AnswerField(fields.Field):
    default_error_messages = {
        "required": "This question needs an answer.",
        "null": "This question needs an answer; null is not accepted.",
    }


class StrictInteger(_AnswerField):
    """A JSON integer (not a boolean, float or string) within an inclusive range."""

    def __init__(self, minimum: int, maximum: int, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum
        self.error_messages["invalid"] = f"Choose a whole number from {minimum} to {maximum}."

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not int or not self.minimum <= value <= self.maximum:
            raise self.make_error("invalid")
        return value


class StrictBoolean(_AnswerField):
    """Only JSON true or false: no 1, "yes" or "true"."""

    default_error_messages = {"invalid": "Answer with true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not bool:
            raise self.make_error("invalid")
        return value


class Choice(_AnswerField):
    """One string out of a fixed list."""

    def __init__(self, choices: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.error_messages["invalid"] = "Choose one of: " + ", ".join(choices) + "."

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not str or value not in self.choices:
            raise self.make_error("invalid")
        return value


class MultiChoice(_AnswerField):
    """A list of distinct strings out of a fixed list."""

    def __init__(self, choices: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.error_messages["not_list"] = "Send a list of choices (it may be empty)."
        self.error_messages["invalid"] = "Every item must be one of: " + ", ".join(choices) + "."
        self.error_messages["duplicate"] = "Each choice can be picked only once."

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not list:
            raise self.make_error("not_list")
        if any(type(item) is not str or item not in self.choices for item in value):
            raise self.make_error("invalid")
        if len(set(value)) != len(value):
            raise self.make_error("duplicate")
        # The questionnaire's order, so that results never depend on the order items were sent in.
        return [choice for choice in self.choices if choice in value]


class SafetyAnswer(_AnswerField):
    """A safety question's answer: JSON true, false, or "declined" (I'd rather not say)."""

    default_error_messages = {"invalid": 'Answer with true, false or "declined" (I\'d rather not say).'}

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is not bool and value != "declined":
            raise self.make_error("invalid")
        return value
