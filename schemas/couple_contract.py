"""Couple mode's response schemas (shared/spec/couple-mode.md, "The API's shape"): they document the
/v1/couples routes (OpenAPI) and dump the joint view."""

from marshmallow import ValidationError, fields, validate, validates

from schemas.base import BaseSchema
from schemas.contract import ResultSchema, _Out

ROLE = {"enum": ["a", "b"]}


def _per_partner(field: fields.Field, description: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(metadata=ROLE), values=field, required=True, metadata={"description": description}
    )


class BasisSchema(_Out):
    basis = fields.String(required=True, metadata={"enum": ["article", "safety-guidance"]})
    section = fields.String(required=True, metadata={"description": "Article section id"})


class OwnResultSchema(_Out):
    recommendation = fields.String(required=True)
    title = fields.String(required=True)
    answered_at = fields.String(required=True)


class SplitSchema(_Out):
    shared = fields.List(fields.String(), required=True)
    only_a = fields.List(fields.String(), required=True)
    only_b = fields.List(fields.String(), required=True)


class PerceptionGapSchema(_Out):
    seen_by = fields.String(required=True, metadata=ROLE)
    about = fields.String(required=True, metadata=ROLE)
    thinks = fields.String(required=True, metadata={"description": "The seer's partner_willing"})
    says = fields.String(required=True, metadata={"description": "The other partner's self_willing"})


class HistoryEventSchema(_Out):
    event = fields.String(required=True, metadata={"enum": ["invited", "replaced", "voided", "withdrawn"]})
    partner = fields.String(required=True, metadata=ROLE)
    at = fields.String(required=True)


class ComparisonSchema(_Out):
    own = _per_partner(fields.Nested(OwnResultSchema), "Each partner's own recommendation and title")
    availability = _per_partner(fields.Dict(), "ready_to_share, walls_when_close, time_to_listen")
    mood = _per_partner(fields.Dict(), "feeling_down, lost_interest, and a PHQ-9 prompt for one item alone")
    missing_needs = fields.Nested(SplitSchema, required=True)
    signs = fields.Nested(SplitSchema, required=True)
    willingness = _per_partner(fields.String(allow_none=True), "Each partner's self_willing")
    perception_gaps = fields.List(fields.Nested(PerceptionGapSchema), required=True)
    reports_of_partner = _per_partner(fields.Dict(), "What each reports of the other, and of old hurts")
    history = fields.List(fields.Nested(HistoryEventSchema), required=True)
    limits = fields.List(fields.String(), required=True)


class JointStepSchema(_Out):
    id = fields.String(required=True)
    title = fields.String(required=True)
    advice = fields.String(required=True)
    section = fields.String(required=True)
    for_ = fields.List(fields.String(metadata=ROLE), required=True, data_key="for")


class JointViewSchema(_Out):
    level = fields.String(
        required=True,
        metadata={
            "enum": [
                "see_each_alone",
                "both_leaning_out",
                "mixed_agenda",
                "support_first",
                "couple_counseling",
                "rebuild_together",
            ]
        },
    )
    title = fields.String(required=True)
    text = fields.String(required=True)
    notice = fields.String(required=True, metadata={"description": "Said with every joint view"})
    basis = fields.Nested(BasisSchema, required=True)
    comparison = fields.Nested(ComparisonSchema, metadata={"description": "Absent for see_each_alone"})
    steps = fields.List(
        fields.Nested(JointStepSchema), metadata={"description": "Absent for see_each_alone; [] where none"}
    )


class InviteSchema(_Out):
    code = fields.String(required=True, metadata={"description": "The invite: send it only to that partner"})
    form_url = fields.String(
        required=True, metadata={"description": "The form, with the invite after #invite="}
    )
    answers_url = fields.String(
        required=True, metadata={"description": "POST answers here, the invite as Bearer"}
    )
    expires_at = fields.String(required=True)


class CoupleCreatedSchema(_Out):
    id = fields.String(required=True)
    invites = _per_partner(fields.Nested(InviteSchema), "One invite per partner")
    report_url = fields.String(
        required=True, metadata={"description": "The report page, its token after #token="}
    )
    retain_until = fields.String(required=True)


class OpenedInviteSchema(_Out):
    code = fields.String(required=True, metadata={"description": "The fresh invite: keep it in memory only"})


class ReportLinkSchema(_Out):
    report_url = fields.String(required=True)


class PartnerStatusSchema(_Out):
    answered = fields.Boolean(required=True)
    invite_expires_at = fields.String(allow_none=True)
    result = fields.Nested(ResultSchema, allow_none=True, required=True)


class CoupleSchema(_Out):
    id = fields.String(required=True)
    label = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, metadata={"enum": ["waiting", "complete"]})
    retain_until = fields.String(required=True)
    partners = _per_partner(fields.Nested(PartnerStatusSchema), "Each partner's status and own result")
    joint = fields.Nested(JointViewSchema, allow_none=True, required=True)


class AnsweredSchema(_Out):
    answered = fields.Boolean(required=True)


class CoupleReportSchema(_Out):
    id = fields.String(required=True)
    label = fields.String(allow_none=True, required=True)
    status = fields.String(required=True, metadata={"enum": ["waiting", "complete"]})
    partners = _per_partner(fields.Nested(AnsweredSchema), "Whether each partner answered")
    joint = fields.Nested(JointViewSchema, allow_none=True, required=True)


class PartnerResultSchema(ResultSchema):
    withdraw_token = fields.String(
        required=True, metadata={"description": "Withdraws these answers (DELETE answers_url, as Bearer)"}
    )


class CoupleLabelSchema(BaseSchema):
    """POST /v1/couples's optional body: the practice's own label for the pair."""

    error_messages = {
        "unknown": "Only a label may be sent.",
        "type": 'Send a JSON object such as {"label": "Room 3, Tuesday"}.',
    }

    label = fields.String(
        validate=validate.Length(min=1, max=100, error="Use 1 to 100 characters."),
        metadata={"description": "At most 100 characters; never shown to partners"},
    )

    @validates("label")
    def _printable(self, value: str, **_) -> None:
        if not value.isprintable():
            raise ValidationError("Use printable characters on one line.")


joint_view_schema = JointViewSchema()
couple_label_schema = CoupleLabelSchema()
