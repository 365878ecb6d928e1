"""Schemas of the rulebook's header (rulebook.yaml) and of the case files beside each rule."""

from dataclasses import dataclass, field

from marshmallow import fields, post_load, validate

from schemas.base import StrictBoolean
from schemas.resources import ResourceSchema
from schemas.rulefile import KEBAB, SNAKE, FileSchema, required_text


@dataclass(frozen=True)
class Case:
    """One case beside a rule: answers (changed from the baseline), whether the rule fires, and what the
    result should be (`expect`: recommendation, urgent, steps, also_consider, safety, title, count)."""

    name: str
    fires: bool
    answers: dict = field(default_factory=dict)
    expect: dict = field(default_factory=dict)


class CaseSchema(FileSchema):
    name = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^(fires|silent)_[a-z0-9_]+$", error="name starts with fires_ or silent_ and uses a-z, 0-9, _"
        ),
    )
    answers = fields.Dict(keys=fields.String(), load_default=dict)
    fires = StrictBoolean(required=True)
    expect = fields.Dict(
        keys=fields.String(
            validate=validate.OneOf(
                ("recommendation", "urgent", "steps", "also_consider", "safety", "title", "count")
            )
        )
    )

    @post_load
    def _case(self, data: dict, **_) -> Case:
        return Case(data["name"], data["fires"], data.get("answers", {}), data.get("expect") or {})


class RulebookSchema(FileSchema):
    version = fields.String(
        required=True, validate=validate.Regexp(r"^\d+\.\d+\.\d+$", error="version is MAJOR.MINOR.PATCH")
    )
    questionnaire = fields.String(required=True)
    notice = required_text()
    resources = fields.List(fields.Nested(ResourceSchema), required=True, validate=validate.Length(min=1))
    concerns = fields.List(fields.String(validate=validate.Regexp(SNAKE)), required=True)
    step_order = fields.List(fields.String(validate=validate.Regexp(KEBAB)), required=True)
    would_change_never_with = fields.String(validate=validate.Regexp(KEBAB), load_default=None)
    case_baseline = fields.Dict(keys=fields.String(), required=True)
