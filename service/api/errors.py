"""All HTTP error handling: every error is JSON with code, status, message, errors and request_id."""

import logging

import orjson
from flask import Flask, current_app, g, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

from service.api.jsonio import JsonInputError
from service.core.exceptions import AnswersInvalid, EngineError
from service.interop.fhir_response import FhirInvalid, operation_outcome

log = logging.getLogger("closeness")

# Messages written for the people who call the API; werkzeug's defaults talk about servers.
MESSAGES = {
    400: "The request could not be understood.",
    404: "There is nothing at this address. See /docs for the API.",
    405: "This address does not accept that method; the Allow header lists those it does.",
    413: "The request body is too large.",
    415: "Send the body as JSON with Content-Type: application/json.",
    500: "Something went wrong on our side. Quote the request id if you report it.",
}
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    412: "precondition_failed",
    415: "unsupported_media_type",
    422: "validation_failed",
    500: "internal_error",
    503: "unavailable",
}


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
        "request_id": g.get("request_id", ""),
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
    message = "Some answers need another look; see errors for each question."
    if error.retired:
        message = error.retired
    response, status = error_response(422, message, error.messages)
    if error.safety_resources is not None:
        # A safety answer was yes or "I'd rather not say": support goes out even with the errors.
        body = response.get_json()
        body["safety_resources"] = error.safety_resources
        response = jsonify(body)
    return response, status


def _malformed_json(error: JsonInputError):
    return error_response(400, str(error), code="malformed_json")


def _engine_failed(error: EngineError):
    log.error("engine failure: %s", error, extra={"request_id": g.get("request_id")})
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
