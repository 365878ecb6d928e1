"""All HTTP error handling: every error is JSON with code, status, message, errors and request_id."""

import logging
from dataclasses import dataclass

import orjson
from flask import Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

from schemas.resources import dump_resources
from service.api.middleware import request_id
from service.core.exceptions import AnswersInvalid, EngineError
from service.core.json_input import JsonInputError
from service.interop.fhir_response import FhirInvalid, operation_outcome

log = logging.getLogger("closeness")


@dataclass(frozen=True)
class ErrorKind:
    """One kind of error: its status, stable code, default message and what the API description says."""

    status: int
    code: str
    message: str
    description: str


# The one catalogue: the handlers answer with it and the OpenAPI document describes it.
# Messages are written for the people who call the API; werkzeug's defaults talk about servers.
CATALOGUE = {
    "BadRequest": ErrorKind(
        400,
        "bad_request",
        "The request could not be understood.",
        "The body is not valid JSON (malformed, NaN, duplicate keys, not UTF-8).",
    ),
    "Unauthorized": ErrorKind(
        401,
        "unauthorized",
        "Send an API key.",
        "The API key is missing, or not valid (WWW-Authenticate names the scheme). With the log off: 404.",
    ),
    "Forbidden": ErrorKind(
        403, "forbidden", "This is not allowed.", "A browser preflight from an origin that is not allowed."
    ),
    "NotFound": ErrorKind(
        404,
        "not_found",
        "There is nothing at this address. See /docs for the API.",
        "Nothing at this address, or no such rule.",
    ),
    "MethodNotAllowed": ErrorKind(
        405,
        "method_not_allowed",
        "This address does not accept that method; the Allow header lists those it does.",
        "The method is not accepted here; Allow lists those that are.",
    ),
    "PreconditionFailed": ErrorKind(
        412,
        "precondition_failed",
        "A precondition failed.",
        "No QuestionnaireResponse was in the context or the prefetch.",
    ),
    "PayloadTooLarge": ErrorKind(
        413,
        "payload_too_large",
        "The request body is too large.",
        "The body is over the configured limit (64 KiB by default).",
    ),
    "UnsupportedMediaType": ErrorKind(
        415,
        "unsupported_media_type",
        "Send the body as JSON with Content-Type: application/json.",
        "The body is not sent as application/json.",
    ),
    "ValidationFailed": ErrorKind(
        422,
        "validation_failed",
        "Some answers need another look; see errors for each question.",
        "The answers do not fit the questionnaire; errors has a message per question (never the values). "
        "With an urgent safety concern the result is returned instead (200, problems under warnings). "
        'safety_resources is there when a safety answer was yes or "declined".',
    ),
    "InternalError": ErrorKind(
        500,
        "internal_error",
        "Something went wrong on our side. Quote the request id if you report it.",
        "A failure on the server's side; quote request_id when reporting it.",
    ),
    "Unavailable": ErrorKind(
        503, "unavailable", "The service cannot decide right now.", "The service cannot decide right now."
    ),
}
BY_STATUS = {kind.status: kind for kind in CATALOGUE.values()}
MESSAGES = {status: kind.message for status, kind in BY_STATUS.items()}
CODES = {status: kind.code for status, kind in BY_STATUS.items()}


class ApiError(HTTPException):
    """An HTTP error raised by a view with its own message and per-field errors."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: dict | None = None,
        code: str | None = None,
        headers: dict | None = None,
    ):
        super().__init__(description=message)
        self.code, self.message, self.errors = status, message, errors or {}
        self.error_code = code or CODES.get(status, "error")
        self.extra_headers = headers or {}

    def get_headers(self, environ=None, scope=None) -> list:
        return [*super().get_headers(environ, scope), *self.extra_headers.items()]


def error_response(status: int, message: str, errors: dict | None = None, code: str | None = None):
    body = {
        "code": code or CODES.get(status, "error"),
        "status": status,
        "message": message,
        "errors": errors or {},
        "request_id": request_id(),
    }
    return jsonify(body), status


def _http_error(error: HTTPException):
    if isinstance(error, ApiError):
        response, status = error_response(error.code, error.message, error.errors, error.error_code)
    else:
        message = MESSAGES.get(error.code, error.name)
        if error.code == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
            message = (
                f"The request body is over the limit of {current_app.config['MAX_CONTENT_LENGTH']} bytes."
            )
        response, status = error_response(error.code, message)
    for header, value in error.get_headers():
        if header.lower() in ("allow", "retry-after", "www-authenticate"):
            response.headers[header] = value
    return response, status


def _invalid_answers(error: AnswersInvalid):
    message = CATALOGUE["ValidationFailed"].message
    if error.retired:
        message = error.retired
    response, status = error_response(422, message, error.messages)
    if error.safety_resources is not None:
        # A safety answer was yes or "I'd rather not say": support goes out even with the errors.
        body = response.get_json()
        body["safety_resources"] = dump_resources(error.safety_resources)
        response = jsonify(body)
    return response, status


def _malformed_json(error: JsonInputError):
    return error_response(400, str(error), code="malformed_json")


def _engine_failed(error: EngineError):
    log.error("engine failure: %s", error, extra={"request_id": request_id()})
    return error_response(500, MESSAGES[500], code="engine_failed")


def _fhir_invalid(error: FhirInvalid):
    response = current_app.response_class(
        orjson.dumps(operation_outcome(error.issues, error.support)),
        status=error.status,
        mimetype="application/fhir+json",
    )
    return response


def _unexpected(error: InternalServerError):
    # Flask calls this for unhandled exceptions; the bug is logged with its traceback, never the body.
    original = error.original_exception or error
    log.error("unhandled %s", type(original).__name__, exc_info=original)
    return error_response(500, MESSAGES[500])


def init_app(app: Flask) -> None:
    app.register_error_handler(AnswersInvalid, _invalid_answers)
    app.register_error_handler(JsonInputError, _malformed_json)
    app.register_error_handler(EngineError, _engine_failed)
    app.register_error_handler(FhirInvalid, _fhir_invalid)
    app.register_error_handler(InternalServerError, _unexpected)
    app.register_error_handler(HTTPException, _http_error)
