"""Schemas of the rulebook's YAML files: rules, outcome levels, derivations and case files."""

import re

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from schemas.base import StrictBoolean, StrictInteger
from schemas.conditions import ConditionField
from schemas.model import (
    ACUITIES,
    EFFECTS,
    ClinicianWords,
    Derivation,
    HedgedTexts,
    LevelText,
    OutcomeLevel,
    Rule,
)

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)*$")
BASES = ("article", "safety-guidance")
RECOMMENDATIONS = ("rebuild", "professional_help", "consider_walking_away")
STEP_MODES = ("all", "on_your_own", "none")


class FileSchema(Schema):
    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "unknown key", "type": "expected a mapping"}


def required_text(**kwargs):
    return fields.String(required=True, validate=validate.Length(min=1, error="must not be empty"), **kwargs)


def _id_field():
    return fields.String(
        required=True,
        validate=validate.Regexp(KEBAB, error="id must be kebab-case (a-z, 0-9, single dashes)"),
    )


class HedgedSchema(FileSchema):
    """A concern's words when it holds only because a follow-up was skipped or declined."""

    title = required_text()
    explanation = required_text()
    headline = fields.String(validate=validate.Length(min=1))
    summary = fields.String(validate=validate.Length(min=1))
    summary_with = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(min=1)))


class ClinicianSchema(FileSchema):
    words = required_text()
    acuity = fields.String(
        required=True, validate=validate.OneOf(ACUITIES, error="acuity is now, today or next_contact")
    )
    follow_up = required_text()
    screened = fields.String(validate=validate.Length(min=1))
    basis = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(min=1)))


class EffectSchema(FileSchema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            ("outcome", "step", "finding", "concern"),
            error="unknown effect kind; use outcome, step, finding or concern",
        ),
    )
    outcome = fields.String()
    step = fields.String(validate=validate.Regexp(KEBAB, error="a step id is kebab-case"))
    section = fields.String()
    title = fields.String(validate=validate.Length(min=1))
    advice = fields.String(validate=validate.Length(min=1))
    on_your_own = StrictBoolean()
    fallback = StrictBoolean()
    concern = fields.String(validate=validate.Regexp(SNAKE, error="a concern id is snake_case"))
    urgent = StrictBoolean()
    unless = fields.List(fields.String())
    headline = fields.String(validate=validate.Length(min=1))
    summary = fields.String(validate=validate.Length(min=1))
    summary_with = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(min=1)))
    hedged = fields.Nested(HedgedSchema)
    clinician = fields.Nested(ClinicianSchema)
    form_topic = fields.String()

    @validates_schema
    def _fits_kind(self, data, **kwargs):
        allowed = {
            "outcome": {"kind", "outcome"},
            "step": {"kind", "step", "section", "title", "advice", "on_your_own", "fallback"},
            "finding": {"kind"},
            "concern": {
                "kind",
                "concern",
                "urgent",
                "outcome",
                "unless",
                "headline",
                "summary",
                "summary_with",
                "hedged",
                "clinician",
                "form_topic",
            },
        }
        required = {
            "outcome": {"outcome"},
            "step": {"step", "section", "title", "advice"},
            "finding": set(),
            "concern": {"concern", "urgent", "clinician"},
        }
        kind = data.get("kind")
        errors = {}
        for key in set(data) - allowed.get(kind, set(data)):
            errors[key] = [f"not used by a {kind} effect"]
        for key in required.get(kind, set()) - set(data):
            errors[key] = [f"a {kind} effect needs '{key}'"]
        if kind == "concern" and data.get("urgent"):
            for key in {"headline", "summary", "outcome"} - set(data):
                errors[key] = [f"an urgent concern needs '{key}' (the result's {key})"]
            for key in {"headline", "summary"} - set(data.get("hedged") or {"headline", "summary"}):
                errors.setdefault("hedged", []).append(f"an urgent concern's hedged words need '{key}'")
        clinician = data.get("clinician")
        if kind == "concern" and data.get("urgent") is False and clinician and "screened" not in clinician:
            errors["clinician"] = ["a noted concern needs 'screened' (its words in the card's summary)"]
        if errors:
            raise ValidationError(errors)


class _Documented(FileSchema):
    kind = fields.String(required=True)
    id = _id_field()
    title = required_text()
    explanation = required_text()
    section = fields.String(required=True)
    basis = fields.String(
        required=True, validate=validate.OneOf(BASES, error="basis is article or safety-guidance")
    )


def _effect(data: dict):
    """A checked effect mapping as its typed effect."""
    values = {key: value for key, value in data.items() if key != "kind"}
    if "unless" in values:
        values["unless"] = tuple(values["unless"])
    if "summary_with" in values:
        values["summary_with"] = tuple(values["summary_with"].items())
    if "hedged" in values:
        hedged = dict(values["hedged"])
        hedged["summary_with"] = tuple(hedged.get("summary_with", {}).items())
        values["hedged"] = HedgedTexts(**hedged)
    if "clinician" in values:
        clinician = dict(values["clinician"])
        clinician["basis"] = tuple(clinician.get("basis", {}).items())
        values["clinician"] = ClinicianWords(**clinician)
    return EFFECTS[data["kind"]](**values)


CONDITION_KEYS = (
    "when",
    "yields_when",
    "no_steps_when",
    "steps_on_your_own_when",
    "variants",
    "additions",
    "counts",
)


def _documented(data: dict, original: dict) -> dict:
    """The fields every typed entry has, and its source: the checked mapping, conditions as written."""
    keys = ("id", "title", "explanation", "section", "basis")
    source = {**data, **{key: original[key] for key in CONDITION_KEYS if key in data}}
    return {**{key: data[key] for key in keys}, "source": source}


class RuleSchema(_Documented):
    when = ConditionField(required=True)
    effect = fields.Nested(EffectSchema, required=True)

    @post_load(pass_original=True)
    def _typed(self, data, original, **kwargs) -> Rule:
        return Rule(**_documented(data, original), when=data["when"], effect=_effect(data["effect"]))


class LevelTextSchema(FileSchema):
    """Words of a level for when a condition holds (a variant, or an addition)."""

    when = ConditionField()
    headline = fields.String(validate=validate.Length(min=1))
    summary = fields.String(validate=validate.Length(min=1))
    also_consider_text = fields.String(validate=validate.Length(min=1))
    explanation = fields.String(validate=validate.Length(min=1))
    yielded_from = fields.String(validate=validate.Regexp(KEBAB, error="a level id is kebab-case"))

    @validates_schema
    def _some_text(self, data, **kwargs):
        if not set(data) - {"when", "yielded_from"}:
            raise ValidationError("give at least one of headline, summary, also_consider_text, explanation")
        if "when" not in data and "yielded_from" not in data:
            raise ValidationError("give when, yielded_from or both")


class OutcomeSchema(_Documented):
    recommendation = fields.String(required=True, validate=validate.OneOf(RECOMMENDATIONS))
    priority = StrictInteger(1, 1000, required=True)
    urgent = StrictBoolean(load_default=False)
    fallback = StrictBoolean(load_default=False)
    steps = fields.String(
        required=True, validate=validate.OneOf(STEP_MODES, error="steps is all, on_your_own or none")
    )
    headline = fields.String(validate=validate.Length(min=1))
    summary = fields.String(validate=validate.Length(min=1))
    also_consider_text = fields.String(validate=validate.Length(min=1))
    clinician_summary = fields.String(
        required=True,
        validate=validate.Length(min=1, max=140, error="clinician_summary is 1 to 140 characters"),
    )
    yields_when = ConditionField()
    yields_to = fields.String(validate=validate.Regexp(KEBAB, error="a level id is kebab-case"))
    no_steps_when = ConditionField()
    no_steps_with_concerns = fields.List(fields.String())
    steps_on_your_own_when = ConditionField()
    variants = fields.List(fields.Nested(LevelTextSchema))
    additions = fields.List(fields.Nested(LevelTextSchema))

    @validates_schema
    def _texts_for_people(self, data, **kwargs):
        # An urgent level speaks with its concerns' words; every other level needs its own.
        needed = set() if data.get("urgent") else {"headline", "summary"}
        if not data.get("urgent") and not data.get("fallback"):
            needed.add("also_consider_text")
        errors = {key: [f"a non-urgent level needs '{key}'"] for key in needed - set(data)}
        if errors:
            raise ValidationError(errors)

    @post_load(pass_original=True)
    def _typed(self, data, original, **kwargs) -> OutcomeLevel:
        plain = ("recommendation", "priority", "steps", "clinician_summary", "urgent", "fallback")
        texts = ("headline", "summary", "also_consider_text")
        return OutcomeLevel(
            **_documented(data, original),
            **{key: data[key] for key in plain},
            **{key: data[key] for key in texts if key in data},
            **{
                key: data[key]
                for key in ("yields_when", "yields_to", "no_steps_when", "steps_on_your_own_when")
                if key in data
            },
            no_steps_with_concerns=tuple(data.get("no_steps_with_concerns", ())),
            variants=tuple(LevelText(**text) for text in data.get("variants", ())),
            additions=tuple(LevelText(**text) for text in data.get("additions", ())),
        )


class DerivedSchema(_Documented):
    counts = fields.List(ConditionField(), validate=validate.Length(min=1))
    when = ConditionField()

    @validates_schema
    def _one_definition(self, data, **kwargs):
        if ("counts" in data) == ("when" in data):
            raise ValidationError("a derivation has exactly one of 'counts' or 'when'")

    @post_load(pass_original=True)
    def _typed(self, data, original, **kwargs) -> Derivation:
        if "counts" in data:
            return Derivation(**_documented(data, original), counts=tuple(data["counts"]))
        return Derivation(**_documented(data, original), when=data["when"])


FILE_SCHEMAS = {"rule": RuleSchema(), "outcome": OutcomeSchema(), "derived": DerivedSchema()}
