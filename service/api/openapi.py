"""The OpenAPI 3 document, generated from the marshmallow schemas."""

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from schemas import contract
from schemas.answers import AnswersSchema
from schemas.base import Choice, MultiChoice, SafetyAnswer, StrictBoolean, StrictInteger

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


def _json(schema: str) -> dict:
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
ERRORS = {
    "BadRequest": "The body is not valid JSON (malformed, NaN, duplicate keys, not UTF-8).",
    "Forbidden": "A browser preflight from an origin that is not allowed.",
    "NotFound": "Nothing at this address, or no such rule.",
    "PayloadTooLarge": "The body is over the configured limit (64 KiB by default).",
    "UnsupportedMediaType": "The body is not sent as application/json.",
    "ValidationFailed": (
        "The answers do not fit the questionnaire; errors has a message per question (never the values). "
        "With an urgent safety concern the result is returned instead (200, problems under warnings). "
        'safety_resources is there when a safety answer was yes or "declined".'
    ),
    "PreconditionFailed": "No QuestionnaireResponse was in the context or the prefetch.",
    "Unauthorized": (
        "The API key is missing, or not valid (WWW-Authenticate names the scheme). With the log off: 404."
    ),
    "InternalError": "A failure on the server's side; quote request_id when reporting it.",
    "Unavailable": "The service cannot decide right now.",
}


def _ok(schema: str, description: str) -> dict:
    return {"200": {"description": description, "headers": REQUEST_ID_HEADER, **_json(schema)}}


def _errors(*names: str) -> dict:
    status = {
        "BadRequest": "400",
        "Forbidden": "403",
        "NotFound": "404",
        "Unauthorized": "401",
        "PreconditionFailed": "412",
        "PayloadTooLarge": "413",
        "UnsupportedMediaType": "415",
        "ValidationFailed": "422",
        "InternalError": "500",
        "Unavailable": "503",
    }
    return {status[name]: {"$ref": f"#/components/responses/{name}"} for name in names + ("InternalError",)}


FHIR_OUTCOME = {"application/fhir+json": {"schema": {"$ref": "#/components/schemas/OperationOutcome"}}}


def _either_error(status: str, description: str) -> dict:
    """An error answered as our Error (JSON requests) or as an OperationOutcome (FHIR requests)."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}, **FHIR_OUTCOME}
    return {status: {"description": description, "headers": REQUEST_ID_HEADER, "content": content}}


def _text(description: str, mimetype: str) -> dict:
    return {"200": {"description": description, "content": {mimetype: {"schema": {"type": "string"}}}}}


OPERATIONS = {
    "/v1/assessments": {
        "post": {
            "summary": "Evaluate answers against the rules",
            "operationId": "createAssessment",
            "tags": ["assessments"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": "Answers"},
                    "application/fhir+json": {
                        "schema": {"$ref": "#/components/schemas/QuestionnaireResponse"}
                    },
                },
            },
            "responses": {
                **_ok("Result", "The recommendation, its reasons and steps"),
                **_errors("PayloadTooLarge", "UnsupportedMediaType"),
                **_either_error("400", ERRORS["BadRequest"]),
                **_either_error(
                    "422", ERRORS["ValidationFailed"] + " FHIR input gets an OperationOutcome instead."
                ),
            },
        }
    },
    "/fhir/Questionnaire/{questionnaire_id}": {
        "get": {
            "summary": "Publish the questionnaire as a FHIR Questionnaire",
            "operationId": "getFhirQuestionnaire",
            "tags": ["fhir"],
            "parameters": [
                {"name": "questionnaire_id", "in": "path", "required": True, "schema": {"type": "string"}},
                {
                    "name": "fhirVersion",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "enum": ["4.0", "4.0.1", "5.0", "5.0.0"], "default": "4.0"},
                },
            ],
            "responses": {
                "200": {
                    "description": "The Questionnaire (R4 unless fhirVersion asks for R5)",
                    "headers": REQUEST_ID_HEADER,
                    "content": {"application/fhir+json": {"schema": {"type": "object"}}},
                },
                "400": {"description": "Unsupported fhirVersion", "content": FHIR_OUTCOME},
                "404": {"description": "No such Questionnaire", "content": FHIR_OUTCOME},
                **_errors(),
            },
        }
    },
    "/form": {
        "get": {
            "summary": "The questionnaire as an embeddable web form",
            "operationId": "getForm",
            "tags": ["form"],
            "parameters": [
                {"name": "lang", "in": "query", "required": False, "schema": {"type": "string"}},
                {
                    "name": "parent",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "Origin of the embedding page; results are posted to it when allowed",
                },
                {
                    "name": "result",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": "'hide' to only post the result to the embedding page",
                },
            ],
            "responses": {**_text("HTML page", "text/html"), **_errors()},
        }
    },
    "/form/embed.js": {
        "get": {
            "summary": "Script that embeds the form in a host page",
            "operationId": "getEmbedScript",
            "tags": ["form"],
            "responses": {**_text("JavaScript", "text/javascript"), **_errors()},
        }
    },
    "/cds-services": {
        "get": {
            "summary": "Describe the CDS services (CDS Hooks discovery)",
            "operationId": "listCdsServices",
            "tags": ["cds-hooks"],
            "responses": {**_ok("CdsDiscovery", "The services offered"), **_errors()},
        }
    },
    "/cds-services/{service_id}": {
        "post": {
            "summary": "Answer a CDS Hooks request with one decision card",
            "operationId": "callCdsService",
            "tags": ["cds-hooks"],
            "parameters": [
                {"name": "service_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "requestBody": {"required": True, **_json("CdsRequest")},
            "responses": {
                **_ok("CdsResponse", "One card for the patient's latest QuestionnaireResponse"),
                **_errors(
                    "BadRequest", "NotFound", "PreconditionFailed", "PayloadTooLarge", "UnsupportedMediaType"
                ),
                "422": {"description": "The QuestionnaireResponse cannot be used", "content": FHIR_OUTCOME},
            },
        }
    },
    "/v1/questionnaire": {
        "get": {
            "summary": "Describe the questionnaire",
            "operationId": "getQuestionnaire",
            "tags": ["questionnaire"],
            "responses": {**_ok("Questionnaire", "Questionnaire v2 grouped by section"), **_errors()},
        }
    },
    "/v1/rules": {
        "get": {
            "summary": "List the rulebook",
            "operationId": "listRules",
            "tags": ["rules"],
            "responses": {**_ok("Rulebook", "Every rule, outcome level and derivation"), **_errors()},
        }
    },
    "/rules": {
        "get": {
            "summary": "The rulebook as a readable HTML document",
            "operationId": "showRulebook",
            "tags": ["rules"],
            "responses": {**_text("HTML document", "text/html"), **_errors()},
        }
    },
    "/v1/rules/{rule_id}": {
        "get": {
            "summary": "Describe one rule",
            "operationId": "getRule",
            "tags": ["rules"],
            "parameters": [{"name": "rule_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                **_ok("RuleDetail", "The rule with the rulebook's version and digest"),
                **_errors("NotFound"),
            },
        }
    },
    "/v1/decisions": {
        "get": {
            "summary": "List logged decisions since a moment (API key)",
            "operationId": "listDecisions",
            "tags": ["decisions"],
            "parameters": [
                {
                    "name": "since",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "format": "date-time"},
                },
                {
                    "name": "until",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string", "format": "date-time"},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                },
                {
                    "name": "cursor",
                    "in": "query",
                    "required": False,
                    "description": "next_cursor of the page before",
                    "schema": {"type": "string"},
                },
            ],
            "security": [{"apiKey": []}, {"bearer": []}],
            "responses": {
                "200": {
                    "description": "Decisions, oldest first, and next_cursor (null on the last page)",
                    **_json({"type": "object"}),
                },
                **_errors("BadRequest", "Unauthorized", "NotFound"),
            },
        }
    },
    "/v1/decisions/{decision_id}": {
        "get": {
            "summary": "Show one logged decision (API key)",
            "operationId": "getDecision",
            "tags": ["decisions"],
            "parameters": [
                {"name": "decision_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "security": [{"apiKey": []}, {"bearer": []}],
            "responses": {
                "200": {"description": "The decision's record", **_json({"type": "object"})},
                **_errors("Unauthorized", "NotFound"),
            },
        },
        "delete": {
            "summary": "Erase one logged decision (API key)",
            "operationId": "deleteDecision",
            "tags": ["decisions"],
            "parameters": [
                {"name": "decision_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "security": [{"apiKey": []}, {"bearer": []}],
            "responses": {"204": {"description": "Erased"}, **_errors("Unauthorized", "NotFound")},
        },
    },
    "/livez": {
        "get": {
            "summary": "Report that the process is up",
            "operationId": "getLiveness",
            "tags": ["health"],
            "responses": {**_ok("Health", "The process is up"), **_errors()},
        }
    },
    "/readyz": {
        "get": {
            "summary": "Report whether the service can decide",
            "operationId": "getReadiness",
            "tags": ["health"],
            "responses": {**_ok("Health", "Rulebook loaded and engine answering"), **_errors("Unavailable")},
        }
    },
    "/metrics": {
        "get": {
            "summary": "Metrics in Prometheus text format",
            "operationId": "getMetrics",
            "tags": ["health"],
            "responses": {**_text("Prometheus exposition format", "text/plain"), **_errors()},
        }
    },
    "/openapi.json": {
        "get": {
            "summary": "This document",
            "operationId": "getOpenApi",
            "tags": ["docs"],
            "responses": {
                "200": {"description": "OpenAPI 3 document", **_json({"type": "object"})},
                **_errors(),
            },
        }
    },
    "/docs": {
        "get": {
            "summary": "Interactive API documentation (Swagger UI, served locally)",
            "operationId": "getDocs",
            "tags": ["docs"],
            "responses": {**_text("HTML page", "text/html"), **_errors()},
        }
    },
}

SCHEMAS = {
    "Answers": AnswersSchema,
    "Result": contract.ResultSchema,
    "Error": contract.ErrorSchema,
    "Questionnaire": contract.QuestionnaireSchema,
    "Rulebook": contract.RulebookSchema,
    "RuleDetail": contract.RuleDetailSchema,
    "Health": contract.HealthSchema,
    "CdsDiscovery": contract.CdsDiscoverySchema,
    "CdsRequest": contract.CdsRequestSchema,
    "CdsResponse": contract.CdsResponseSchema,
}
# FHIR resources are described by the FHIR specification; only their outline is given here.
FHIR_SCHEMAS = {
    "QuestionnaireResponse": {
        "type": "object",
        "required": ["resourceType"],
        "properties": {
            "resourceType": {"type": "string", "enum": ["QuestionnaireResponse"]},
            "questionnaire": {"type": "string"},
            "status": {"type": "string"},
            "item": {"type": "array", "items": {"type": "object"}},
        },
        "description": "A FHIR R4 or R5 QuestionnaireResponse for Questionnaire/closeness-v2",
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


def build_openapi(version: str) -> dict:
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
            name, {"description": description, "headers": REQUEST_ID_HEADER, **_json("Error")}
        )
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for path, operations in OPERATIONS.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
