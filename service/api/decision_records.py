"""/v1/decisions: the decision log (list with a cursor, show, erase), behind an API key."""

import hmac
import logging
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, request
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from schemas.queries import DECISION_ID, Cursor, decision_query_schema
from service.api import openapi
from service.api.errors import ApiError
from service.api.services import services
from service.audit.decision_log import DecisionLog
from service.core.exceptions import DecisionLogUnavailable

log = logging.getLogger("closeness.decision_log")
bp = Blueprint("decisions", __name__, url_prefix="/v1/decisions")

DECISION_ID_PARAMETER = {"name": "decision_id", "in": "path", "required": True, "schema": {"type": "string"}}
KEYED = [{"apiKey": []}, {"bearer": []}]  # X-API-Key, or Authorization: Bearer
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="closeness decision log"'}


def api_keys(setting) -> list[str]:
    """The configured keys: one, or several separated by commas (rotation: old and new both work)."""
    if not setting:
        return []
    keys = setting if isinstance(setting, list) else setting.split(",")
    return [key.strip() for key in keys if key.strip()]


def _given_key() -> str | None:
    if "X-API-Key" in request.headers:
        return request.headers["X-API-Key"]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _log() -> DecisionLog:
    """The log, once the caller has shown a valid API key. Messages say which case applies, nothing more."""
    decision_log = services().decision_log
    if decision_log is None:
        raise ApiError(404, "The decision log is off on this service.")
    check_api_key()
    return decision_log


def check_api_key() -> None:
    """Refuse a request without a valid API key (401, saying which case applies, nothing more)."""
    given = _given_key()
    if given is None:
        raise ApiError(
            401, "Send an API key: X-API-Key: <key>, or Authorization: Bearer <key>.", headers=CHALLENGE
        )
    # Every key is compared, in constant time, so timing tells nothing about which (if any) matched.
    matches = [
        hmac.compare_digest(given.encode(), key.encode()) for key in api_keys(current_app.config["API_KEY"])
    ]
    if not any(matches):
        raise ApiError(401, "This API key is not valid.", headers=CHALLENGE)


@bp.get("")
@openapi.documented(
    {
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
        "security": KEYED,
        "responses": {
            "200": {
                "description": "Decisions, oldest first, and next_cursor (null on the last page)",
                **openapi.json_body({"type": "object"}),
            },
            **openapi.errors("BadRequest", "Unauthorized", "NotFound", "Unavailable"),
        },
    }
)
def list_decisions():
    """List decisions made since a moment (default: the last 24 hours), oldest first, a page at a time."""
    decision_log = _log()
    try:
        query = decision_query_schema.load(request.args)
    except ValidationError as error:
        first = next(iter(error.messages.values()))[0]
        raise ApiError(400, first, error.messages) from None
    since = query.get("since", datetime.now(UTC) - timedelta(days=1))
    limit = query["limit"]
    page = _answered(decision_log.since, since, query.get("until"), limit + 1, query.get("cursor"))
    more = len(page) > limit
    page = page[:limit]
    return {"decisions": page, "next_cursor": Cursor.of(page[-1]) if more else None}


def _answered(call, *args):
    """A read of the log, or a 503 when its database does not answer in time."""
    try:
        return call(*args)
    except DecisionLogUnavailable:
        raise ApiError(503, "The decision log's database is not answering; try again shortly.") from None
    except SQLAlchemyError as error:
        log.error("decision log read failed: %s", type(error).__name__)
        raise ApiError(503, "The decision log's database is not answering; try again shortly.") from None


def _decision_id(decision_id: str) -> str:
    if not DECISION_ID.match(decision_id):  # ids are 32 hex digits; anything else names nothing
        raise ApiError(404, "No decision with this id.")
    return decision_id


@bp.get("/<decision_id>")
@openapi.documented(
    {
        "summary": "Show one logged decision (API key)",
        "operationId": "getDecision",
        "tags": ["decisions"],
        "parameters": [DECISION_ID_PARAMETER],
        "security": KEYED,
        "responses": {
            "200": {"description": "The decision's record", **openapi.json_body({"type": "object"})},
            **openapi.errors("Unauthorized", "NotFound", "Unavailable"),
        },
    }
)
def get_decision(decision_id: str):
    """Show the record of one decision."""
    decision_log = _log()
    record = _answered(decision_log.get, _decision_id(decision_id))
    if record is None:
        raise ApiError(404, "No decision with this id.")
    return record


@bp.delete("/<decision_id>")
@openapi.documented(
    {
        "summary": "Erase one logged decision (API key)",
        "operationId": "deleteDecision",
        "tags": ["decisions"],
        "parameters": [DECISION_ID_PARAMETER],
        "security": KEYED,
        "responses": {
            "204": {"description": "Erased"},
            **openapi.errors("Unauthorized", "NotFound", "Unavailable"),
        },
    }
)
def delete_decision(decision_id: str):
    """Erase the record of one decision."""
    decision_log = _log()
    if not _answered(decision_log.erase, _decision_id(decision_id)):
        raise ApiError(404, "No decision with this id.")
    return "", 204
