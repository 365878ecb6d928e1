"""GET /v1/decisions/<id> and /v1/decisions?since=...: the decision log, behind an API key."""

import hmac
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, request

from service.decision_log import DecisionLog
from service.errors import ApiError

bp = Blueprint("decisions", __name__, url_prefix="/v1/decisions")
MAX_LIMIT = 1000


def _log() -> DecisionLog:
    """The log, once the caller has shown the API key."""
    key = current_app.config["API_KEY"]
    given = request.headers.get("X-API-Key") or request.headers.get("Authorization", "").removeprefix(
        "Bearer "
    )
    # Constant-time comparison; without a configured key nobody gets in.
    if not key or not hmac.compare_digest(given.encode(), key.encode()):
        raise ApiError(401, "Send the API key in the X-API-Key header.", code="unauthorized")
    decision_log = current_app.extensions.get("closeness.log")
    if decision_log is None:
        raise ApiError(404, "The decision log is off on this service.")
    return decision_log


def _moment(name: str, default: datetime | None) -> datetime | None:
    text = request.args.get(name)
    if text is None:
        return default
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"'{name}' is a date and time in ISO 8601, e.g. 2026-11-28T09:00:00Z.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@bp.get("")
def list_decisions():
    """List decisions made since a moment (default: the last 24 hours), oldest first."""
    decision_log = _log()
    since = _moment("since", datetime.now(UTC) - timedelta(days=1))
    until = _moment("until", None)
    limit = request.args.get("limit", str(MAX_LIMIT))
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_LIMIT:  # not '²'
        raise ApiError(400, f"'limit' is a whole number from 1 to {MAX_LIMIT}.")
    return {"decisions": decision_log.since(since, until, int(limit))}


@bp.get("/<decision_id>")
def get_decision(decision_id: str):
    """Show the record of one decision."""
    record = _log().get(decision_id)
    if record is None:
        raise ApiError(404, "No decision with this id.")
    return record
