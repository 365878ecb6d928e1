"""Response schemas of the HTTP API, used to document it (OpenAPI) and to test its answers."""

from marshmallow import fields, post_dump

from schemas.base import BaseSchema
from schemas.dumping import compile_dump
from schemas.resources import ResourceSchema
from schemas.rulefile import BASES, RECOMMENDATIONS


class _Out(BaseSchema):
    """Server-made output: documents what the API returns, and dumps it (schemas/dumping.py)."""

    @post_dump
    def _present(self, data: dict, **_) -> dict:
        """A field that is not required is left out when it has no value."""
        required = {field.data_key or name for name, field in self.dump_fields.items() if field.required}
        return {key: value for key, value in data.items() if value is not None or key in required}


class CitationSchema(_Out):
    id = fields.String(required=True, metadata={"description": "Article section id"})
    title = fields.String(required=True)


class BecauseSchema(_Out):
    question = fields.String(required=True, metadata={"description": "The question id"})
    answer = fields.Raw(
        required=True,
        metadata={"description": "The answer that made the condition hold (lists: the matches)"},
    )
    text = fields.String(
        required=True, metadata={"description": "What the person answered, in the second person"}
    )


class ReasonSchema(_Out):
    MEMO = True  # built once, shared by many results (schemas/dumping.py)

    rule = fields.String(required=True, metadata={"description": "Id of the rule or outcome level"})
    title = fields.String(required=True)
    explanation = fields.String(required=True)
    section = fields.String(required=True, metadata={"description": "Article section id it cites"})
    basis = fields.String(
        required=True,
        metadata={
            "enum": list(BASES),
            "description": "safety-guidance: rests on safety practice, not the article",
        },
    )
    because = fields.List(
        fields.Nested(BecauseSchema),
        required=True,
        metadata={"description": "The conditions of this rule that held; empty for safety reasons"},
    )


class StepSchema(_Out):
    MEMO = True  # built once, shared by many results (schemas/dumping.py)

    id = fields.String(required=True, metadata={"description": "The step's id"})
    title = fields.String(required=True)
    advice = fields.String(required=True)
    section = fields.String(required=True)


class SafetySchema(_Out):
    urgent = fields.List(
        fields.String(), required=True, metadata={"description": "Urgent concerns, in order"}
    )
    noted = fields.List(fields.String(), required=True, metadata={"description": "Noted concerns, in order"})
    declined = fields.List(
        fields.String(), required=True, metadata={"description": 'Safety questions answered "declined"'}
    )


class AlsoConsiderSchema(_Out):
    MEMO = True  # built once, shared by many results (schemas/dumping.py)

    recommendation = fields.String(required=True, metadata={"enum": list(RECOMMENDATIONS)})
    title = fields.String(required=True)
    text = fields.String(required=True)


class ChangeSchema(_Out):
    question = fields.String(required=True)
    from_ = fields.Raw(
        required=True, data_key="from", metadata={"description": "The answer given (a removed item)"}
    )
    to = fields.Raw(
        required=True, allow_none=True, metadata={"description": "The changed answer (null: removed)"}
    )
    text = fields.String(required=True, metadata={"description": "The change in the project's own words"})


class WouldChangeSchema(_Out):
    recommendation = fields.String(required=True, metadata={"enum": list(RECOMMENDATIONS)})
    title = fields.String(required=True, metadata={"description": "The title the changed answers would get"})
    changes = fields.List(fields.Nested(ChangeSchema), required=True)


class WarningSchema(_Out):
    question = fields.String(required=True, metadata={"description": "Question id or key (never its value)"})
    message = fields.String(required=True)


class QuestionnaireRefSchema(_Out):
    id = fields.String(required=True)
    version = fields.String(required=True)


class RulesetRefSchema(_Out):
    version = fields.String(required=True)
    digest = fields.String(required=True, metadata={"description": "sha256 over the rule content"})


class ResultSchema(_Out):
    recommendation = fields.String(required=True, metadata={"enum": list(RECOMMENDATIONS)})
    urgent = fields.Boolean(
        required=True, metadata={"description": "True exactly when safety.urgent is not empty"}
    )
    safety = fields.Nested(SafetySchema, required=True)
    title = fields.String(required=True, metadata={"description": "The headline for the person"})
    summary = fields.String(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    steps = fields.List(fields.Nested(StepSchema), required=True)
    also_consider = fields.List(fields.Nested(AlsoConsiderSchema), required=True)
    notice = fields.String(required=True)
    resources = fields.List(fields.Nested(ResourceSchema), required=True)
    warnings = fields.List(
        fields.Nested(WarningSchema),
        required=True,
        metadata={"description": "With an urgent concern: answers ignored, follow-ups counted as yes"},
    )
    questionnaire = fields.Nested(QuestionnaireRefSchema, required=True)
    ruleset = fields.Nested(RulesetRefSchema, required=True)
    decision_id = fields.String(metadata={"description": "Id of the decision's record, when the log is on"})
    would_change = fields.List(
        fields.Nested(WouldChangeSchema),
        metadata={
            "description": (
                "With ?explain=changes: the smallest sets of allowed changes (at most 3) to these answers "
                "that lead to each less severe recommendation, nearest first, found by running the rulebook "
                "on them; the answers the suggestion depends on, not advice to answer differently. Absent "
                "with an urgent or noted concern, a declined safety question or a hold-back signal; [] for "
                "rebuild."
            )
        },
    )


dump_result = compile_dump(ResultSchema())


class ErrorSchema(_Out):
    code = fields.String(required=True, metadata={"description": "Stable machine-readable error code"})
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Messages per question id (empty when not about answers)"},
    )
    request_id = fields.String(required=True)
    safety_resources = fields.List(
        fields.Nested(ResourceSchema),
        metadata={"description": 'Support, when a safety answer was yes or "declined" (422 only)'},
    )


class OptionSchema(_Out):
    value = fields.Raw(required=True, metadata={"description": "The value to send for this option"})
    label = fields.String(required=True)
    cites = fields.Nested(CitationSchema)


class QuestionSchema(_Out):
    id = fields.String(required=True)
    text = fields.String(required=True)
    type = fields.String(
        required=True, metadata={"enum": ["integer", "boolean", "choice", "multi_choice", "safety"]}
    )
    required = fields.Boolean(required=True)
    basis = fields.String(required=True, metadata={"enum": list(BASES)})
    follow_up_of = fields.List(
        fields.String(), metadata={"description": "A follow-up: asked only when one of these is answered yes"}
    )
    default = fields.Raw(metadata={"description": "Used when an optional question is left out"})
    minimum = fields.Integer()
    maximum = fields.Integer()
    options = fields.List(fields.Nested(OptionSchema), required=True)
    cites = fields.Nested(CitationSchema, required=True)


class QuestionGroupSchema(_Out):
    id = fields.String(required=True)
    title = fields.String(required=True)
    intro = fields.String()
    basis = fields.String(required=True, metadata={"enum": list(BASES)})
    cites = fields.Nested(CitationSchema, required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True)


class IntroSchema(_Out):
    id = fields.String(required=True)
    text = fields.String(required=True)


class QuestionnaireSchema(_Out):
    id = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.String(required=True)
    intro = fields.List(fields.Nested(IntroSchema), required=True)
    sections = fields.List(fields.Nested(QuestionGroupSchema), required=True)


class RuleSchema(_Out):
    id = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["rule", "outcome", "derived"]})
    title = fields.String(required=True)
    explanation = fields.String(required=True)
    cites = fields.Nested(CitationSchema, required=True)
    file = fields.String(required=True, metadata={"description": "Path inside the rules directory"})
    definition = fields.Dict(
        required=True, metadata={"description": "The rule's data as written: condition, effect, priority"}
    )


class RuleDetailSchema(RuleSchema):
    ruleset = fields.Nested(RulesetRefSchema, required=True)


class RulebookSchema(_Out):
    ruleset = fields.Nested(RulesetRefSchema, required=True)
    rules = fields.List(fields.Nested(RuleSchema), required=True)


class HealthSchema(_Out):
    status = fields.String(required=True, metadata={"enum": ["live", "ready", "degraded"]})
    ruleset = fields.Nested(RulesetRefSchema)
    decision_log = fields.String(metadata={"enum": ["ok", "failing"]})
    resources = fields.String(
        metadata={"enum": ["defaults", "configured"], "description": "defaults: no local services configured"}
    )


class CdsServiceSchema(_Out):
    id = fields.String(required=True)
    hook = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    prefetch = fields.Dict(keys=fields.String(), values=fields.String())


class CdsDiscoverySchema(_Out):
    services = fields.List(fields.Nested(CdsServiceSchema), required=True)


class CdsSourceSchema(_Out):
    label = fields.String(required=True)
    url = fields.String()


class CdsLinkSchema(_Out):
    label = fields.String(required=True)
    url = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": ["absolute", "smart"]})


class CdsCardSchema(_Out):
    uuid = fields.String()
    summary = fields.String(required=True, metadata={"maxLength": 140})
    indicator = fields.String(required=True, metadata={"enum": ["info", "warning", "critical"]})
    detail = fields.String()
    source = fields.Nested(CdsSourceSchema, required=True)
    links = fields.List(fields.Nested(CdsLinkSchema))


class CdsResponseSchema(_Out):
    cards = fields.List(fields.Nested(CdsCardSchema), required=True)
