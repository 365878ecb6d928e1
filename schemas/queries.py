"""Schemas of the inputs other than answers: query arguments and the CDS Hooks request."""

import base64
import binascii
import json
import re
from datetime import UTC, datetime, timedelta

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

DECISION_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_LIMIT = 1000
CDS_HOOK = "patient-view"  # the one hook Closeness's CDS service answers


SPAN = re.compile(r"^(\d{1,6})([dhm])$")  # 90d, 12h, 30m: a span back from now (at most 6 digits)
SPAN_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_span(text: str) -> timedelta | None:
    """A span such as 90d, 12h or 30m, or None when the text is not one."""
    match = SPAN.match(text.strip())
    return timedelta(**{SPAN_UNITS[match.group(2)]: int(match.group(1))}) if match else None


def parse_moment(text: str) -> datetime | None:
    """A date and time in ISO 8601 (UTC unless it says otherwise), or a span back from now (7d); None
    when the text is neither. The API's `since` and `until` and the CLI's --since and --until alike."""
    span = parse_span(text)
    if span is not None:
        try:
            return datetime.now(UTC) - span
        except OverflowError:  # before year 1
            return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Moment(fields.Field):
    """A date and time in ISO 8601 (Z or an offset; UTC when none is given), or a span back from now."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = parse_moment(str(value))
        if moment is None:
            raise ValidationError(
                f"'{attr}' is a date and time in ISO 8601, e.g. 2026-11-28T09:00:00Z, or a span back "
                "from now such as 7d, 12h or 30m."
            )
        return moment


class Limit(fields.Field):
    """A whole number of ASCII digits (not '²', not 2.5) within the page size."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_LIMIT:
            raise ValidationError(f"'limit' is a whole number from 1 to {MAX_LIMIT}.")
        return int(value)


class Cursor(fields.Field):
    """The opaque next_cursor of a page: (created_at, id) of its last decision."""

    message = "'cursor' is not one this service gave out; use next_cursor as it came."

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment, last_id = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
            after = datetime.fromisoformat(moment), str(last_id)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise ValidationError(self.message) from None
        if not DECISION_ID.match(after[1]):
            raise ValidationError(self.message)
        return after

    @staticmethod
    def of(record: dict) -> str:
        raw = json.dumps([record["created_at"], record["id"]]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class DecisionQuerySchema(Schema):
    """GET /v1/decisions: since, until, limit and cursor (other arguments are ignored)."""

    class Meta:
        unknown = EXCLUDE

    since = Moment()
    until = Moment()
    limit = Limit(load_default=MAX_LIMIT)
    cursor = Cursor()


class AssessmentQuerySchema(Schema):
    """POST /v1/assessments: ?explain=changes asks for what the suggestion depends on."""

    class Meta:
        unknown = EXCLUDE

    explain = fields.String(
        validate=validate.OneOf(["changes"], error="'explain' takes one value: changes."),
        metadata={"description": "changes: add `would_change`, what the suggestion depends on"},
    )


def _required(name: str, kind: str) -> dict:
    message = f"'{name}' is required ({kind})."
    return {"required": message, "invalid": message, "null": message}


class CdsRequestSchema(Schema):
    """A CDS Hooks request; the QuestionnaireResponse comes in context or prefetch."""

    class Meta:
        unknown = EXCLUDE

    # The one hook answered, as an enum in the OpenAPI document: the documented shape is what is taken.
    hook = fields.String(
        required=True,
        validate=validate.OneOf([CDS_HOOK], error=f"This service answers the {CDS_HOOK} hook."),
        error_messages=_required("hook", "a string"),
    )
    hookInstance = fields.String(  # noqa: N815 - the specification's name
        required=True, error_messages=_required("hookInstance", "a string")
    )
    context = fields.Dict(required=True, error_messages=_required("context", "an object"))
    prefetch = fields.Dict(
        error_messages={"invalid": "'prefetch' is an object.", "null": "'prefetch' is an object."}
    )
    fhirServer = fields.String()  # noqa: N815
    fhirAuthorization = fields.Raw()  # noqa: N815


decision_query_schema = DecisionQuerySchema()
assessment_query_schema = AssessmentQuerySchema()
cds_request_schema = CdsRequestSchema()
