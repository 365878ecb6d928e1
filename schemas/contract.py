"""Response schemas of the HTTP API, used to document it (OpenAPI) and to test its answers."""

from marshmallow import fields

from schemas.base import BaseSchema

RECOMMENDATIONS = ("rebuild", "professional_help", "consider_walking_away")


class _Out(BaseSchema):
    """Server-made output: every field is dump_only documentation of what the API returns."""


class CitationSchema(_Out):
    id = fields.String(required=True, metadata={"description": "Article section id"})
    title = fields.String(required=True)


class ReasonSchema(_Out):
    rule = fields.String(required=True, metadata={"description": "Id of the rule or outcome level"})
    title = fields.String(required=True)
    explanation = fields.String(required=True)
    section = fields.String(required=True, metadata={"description": "Article section id it cites"})
    answers = fields.Dict(
        keys=fields.String(), required=True, metadata={"description": "The answers this rule read"}
    )


class StepSchema(_Out):
    id = fields.String(required=True, metadata={"description": "The step's article section id"})
    title = fields.String(required=True)
    advice = fields.String(required=True)
    section = fields.String(required=True)


class ResourceSchema(_Out):
    name = fields.String(required=True)
    description = fields.String(required=True)
    contact = fields.String()
    url = fields.String()


class RulesetRefSchema(_Out):
    version = fields.String(required=True)
    digest = fields.String(required=True, metadata={"description": "sha256 over the rule content"})


class ResultSchema(_Out):
    recommendation = fields.String(required=True, metadata={"enum": list(RECOMMENDATIONS)})
    urgent = fields.Boolean(required=True)
    summary = fields.String(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)
    steps = fields.List(fields.Nested(StepSchema), required=True)
    also_consider = fields.List(fields.String(metadata={"enum": list(RECOMMENDATIONS)}), required=True)
    notice = fields.String(required=True)
    resources = fields.List(fields.Nested(ResourceSchema), required=True)
    ruleset = fields.Nested(RulesetRefSchema, required=True)
    decision_id = fields.String(metadata={"description": "Id of the decision's record, when the log is on"})


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


class OptionSchema(_Out):
    value = fields.Raw(required=True, metadata={"description": "The value to send for this option"})
    label = fields.String(required=True)
    cites = fields.Nested(CitationSchema)


class QuestionSchema(_Out):
    id = fields.String(required=True)
    text = fields.String(required=True)
    type = fields.String(required=True, metadata={"enum": ["integer", "boolean", "choice", "multi_choice"]})
    required = fields.Boolean(required=True)
    default = fields.Raw(metadata={"description": "Used when an optional question is left out"})
    minimum = fields.Integer()
    maximum = fields.Integer()
    options = fields.List(fields.Nested(OptionSchema), required=True)
    cites = fields.Nested(CitationSchema, required=True)
    also_cites = fields.List(fields.Nested(CitationSchema), required=True)


class QuestionGroupSchema(_Out):
    id = fields.String(required=True)
    title = fields.String(required=True)
    intro = fields.String()
    cites = fields.Nested(CitationSchema, required=True)
    questions = fields.List(fields.Nested(QuestionSchema), required=True)


class QuestionnaireSchema(_Out):
    id = fields.String(required=True)
    version = fields.String(required=True)
    title = fields.String(required=True)
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


class CdsServiceSchema(_Out):
    id = fields.String(required=True)
    hook = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    prefetch = fields.Dict(keys=fields.String(), values=fields.String())


class CdsDiscoverySchema(_Out):
    services = fields.List(fields.Nested(CdsServiceSchema), required=True)


class CdsRequestSchema(BaseSchema):
    """A CDS Hooks request; the QuestionnaireResponse comes in context or prefetch."""

    class Meta:
        unknown = "include"

    hook = fields.String(required=True)
    hookInstance = fields.String(required=True)  # noqa: N815 - the spec's name
    context = fields.Dict(required=True)
    prefetch = fields.Dict()
    fhirServer = fields.String()  # noqa: N815
    fhirAuthorization = fields.Dict()  # noqa: N815


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
