"""The OpenAPI 3 document: each view declares its operation beside it (@openapi.documented), the
schemas come from marshmallow, the error responses from the one catalogue in errors.py."""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from schemas import contract, couple_contract, queries
from schemas.answers import AnswersSchema
from schemas.base import Choice, MultiChoice, SafetyAnswer, StrictBoolean, StrictInteger
from service.api.errors import CATALOGUE

DESCRIPTION = (
    "Closeness turns answers to a short self-reflection questionnaire on emotional intimacy into "
    "one recommendation (rebuild, professional help, or consider walking away) and explains it, "
    "each reason tied to a section of the source article. Decision support, not a diagnosis."
)


def _strict_fields(self, field, **kwargs) -> dict:
    """OpenAPI properties of the strict answer fields (apispec cannot infer custom fields)."""
    if isinstance(field, StrictInteger):
        return {"type": "integer", "minimum": field.minimum, "maximum": field.maximum}
    if isinstance(field, SafetyAnswer):
        return {"oneOf": [{"type": "boolean"}, {"type": "string", "enum": ["declined"]}]}
    if isinstance(field, StrictBoolean):
        return {"type": "boolean"}
    if isinstance(field, Choice):
        return {"type": "string", "enum": list(field.choices)}
    if isinstance(field, MultiChoice):
        return {
            "type": "array",
            "items": {"type": "string", "enum": list(field.choices)},
            "uniqueItems": True,
        }
    return {}


def documented(operation: dict):
    """Declare a view's OpenAPI operation beside it; build_openapi collects them from the URL map."""

    def mark(view):
        view.openapi_operation = operation
        return view

    return mark


def json_body(schema: str) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


REQUEST_ID_HEADER = {
    "X-Request-ID": {
        "description": "The request id (yours if valid, else generated)",
        "schema": {"type": "string"},
    },
    "X-Ruleset-Digest": {
        "description": "Digest of the rulebook this answer was decided with",
        "schema": {"type": "string"},
    },
}
ERRORS = {name: entry.description for name, entry in CATALOGUE.items()}


def ok(schema: str, description: str) -> dict:
    return {"200": {"description": description, "headers": REQUEST_ID_HEADER, **json_body(schema)}}


def errors(*names: str) -> dict:
    return {
        str(CATALOGUE[name].status): {"$ref": f"#/components/responses/{name}"}
        for name in names + ("InternalError",)
    }


FHIR_OUTCOME = {"application/fhir+json": {"schema": {"$ref": "#/components/schemas/OperationOutcome"}}}


def either_error(status: str, description: str) -> dict:
    """An error answered as our Error (JSON requests) or as an OperationOutcome (FHIR requests)."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}, **FHIR_OUTCOME}
    return {status: {"description": description, "headers": REQUEST_ID_HEADER, "content": content}}


def text(description: str, mimetype: str) -> dict:
    return {"200": {"description": description, "content": {mimetype: {"schema": {"type": "string"}}}}}


SCHEMAS = {
    "Answers": AnswersSchema,
    "Result": contract.ResultSchema,
    "Error": contract.ErrorSchema,
    "Questionnaire": contract.QuestionnaireSchema,
    "Rulebook": contract.RulebookSchema,
    "RuleDetail": contract.RuleDetailSchema,
    "Health": contract.HealthSchema,
    "CdsDiscovery": contract.CdsDiscoverySchema,
    "CdsRequest": queries.CdsRequestSchema,
    "CdsResponse": contract.CdsResponseSchema,
    "CoupleLabel": couple_contract.CoupleLabelSchema,
    "CoupleCreated": couple_contract.CoupleCreatedSchema,
    "Couple": couple_contract.CoupleSchema,
    "CoupleReport": couple_contract.CoupleReportSchema,
    "Invite": couple_contract.InviteSchema,
    "ReportLink": couple_contract.ReportLinkSchema,
    "OpenedInvite": couple_contract.OpenedInviteSchema,
    "PartnerResult": couple_contract.PartnerResultSchema,
}
# FHIR resources are described by the FHIR specification; only their outline is given here.
FHIR_SCHEMAS = {
    # What the server enforces of a QuestionnaireResponse's outline (the FHIR model's own rules):
    # a status (a FHIR code: no empty string, no leading or trailing space) and a linkId on every item.
    "QuestionnaireResponse": {
        "type": "object",
        "required": ["resourceType", "status"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["QuestionnaireResponse"]},
            "questionnaire": {"type": "string"},
            "status": {"type": "string", "pattern": "^[^\\s]+( [^\\s]+)*$"},
            "item": {"type": "array", "items": {"$ref": "#/components/schemas/QuestionnaireResponseItem"}},
        },
        "description": "A FHIR R4 or R5 QuestionnaireResponse for Questionnaire/closeness-v2",
    },
    "QuestionnaireResponseItem": {
        "type": "object",
        "required": ["linkId"],
        "properties": {
            "linkId": {"type": "string", "pattern": "^[^\\s]+( [^\\s]+)*$"},
            "answer": {"type": "array", "items": {"type": "object"}},
            "item": {"type": "array", "items": {"$ref": "#/components/schemas/QuestionnaireResponseItem"}},
        },
    },
    "OperationOutcome": {
        "type": "object",
        "required": ["resourceType", "issue"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
            "issue": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["severity", "code"],
                    "properties": {
                        "severity": {"type": "string"},
                        "code": {"type": "string"},
                        "diagnostics": {"type": "string"},
                        "expression": {"type": "array", "items": {"type": "string"}},
                        "details": {"type": "object"},
                    },
                },
            },
        },
    },
}


def _operations(app) -> dict:
    """{path: {method: operation}} from the views' own declarations, walking the app's URL map."""
    paths: dict = {}
    for rule in app.url_map.iter_rules():
        operation = getattr(app.view_functions[rule.endpoint], "openapi_operation", None)
        if operation is None:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = operation
    return paths


def undocumented(app) -> list[str]:
    """Routes without a declared operation (the static files and Swagger UI's assets are not API)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in ("static", "docs.get_asset")
        and not hasattr(app.view_functions[rule.endpoint], "openapi_operation")
    )


def build_openapi(version: str, app) -> dict:
    """The OpenAPI document for this service."""
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)
    spec = APISpec(
        title="Closeness API",
        version=version,
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": DESCRIPTION},
    )
    plugin.converter.add_attribute_function(_strict_fields)
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema=schema)
    for name, definition in FHIR_SCHEMAS.items():
        spec.components.schema(name, definition)
    for name, description in ERRORS.items():
        spec.components.response(
            name, {"description": description, "headers": REQUEST_ID_HEADER, **json_body("Error")}
        )
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for path, operations in _operations(app).items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
