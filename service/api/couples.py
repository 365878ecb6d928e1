"""/v1/couples: couple mode (shared/spec/couple-mode.md). The practice (API key) creates and reads
pairs; each partner answers with their own invite (Authorization: Bearer) at one fixed address; the
report link's token reads the joint view. Every code goes in a header, never in a URL before `#`.
Wrong, spent, replaced, voided and expired codes all get the same 404."""

import re
from dataclasses import replace

from flask import Blueprint, after_this_request, current_app, request
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import BaseConverter

from schemas.contract import dump_result
from schemas.couple_contract import couple_label_schema
from service.api import openapi
from service.api.decision_records import KEYED, check_api_key
from service.api.errors import MESSAGES, ApiError
from service.api.jsonio import request_body
from service.api.middleware import request_id
from service.api.services import services
from service.audit.couples_store import PairBusy, PairGone, iso
from service.core.json_input import parse_json
from service.core.sealing import MAKE_ONE
from service.ops.metrics import record_log_drop

bp = Blueprint("couples", __name__, url_prefix="/v1/couples")
PAIR_ID = re.compile(r"^[0-9a-f]{32}$")


class PairIdConverter(BaseConverter):
    """A pair id (32 hex digits): nothing else matches, so /v1/couples/answers is never a pair."""

    regex = "[0-9a-f]{32}"


# Before the routes below: a blueprint's recorded functions run in order when it is registered.
bp.record_once(lambda state: state.app.url_map.converters.setdefault("pair", PairIdConverter))
ROLES = ("a", "b")
PRIVATE = {"X-Robots-Tag": "noindex, nofollow", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
BEARER = [{"bearer": []}]
PAIR_PARAMETER = {
    "name": "pair_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
}
ROLE_PARAMETER = {
    "name": "role",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": ["a", "b"]},
}


@bp.after_request
def _private(response):
    response.headers.update(PRIVATE)
    return response


def _flow():
    """The couple flow, or a 503 saying in one line what is missing."""
    built = services()
    if built.couples is None:
        raise ApiError(503, built.couples_off, code="couples_off")
    return built.couples


def _gone() -> ApiError:
    return ApiError(404, MESSAGES[404])


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _gone()
    return token.strip()


def _pair_id(pair_id: str) -> str:
    if not PAIR_ID.match(pair_id):
        raise _gone()
    return pair_id


def _answered(call, *args):
    """A store call: PairGone is a 404; a database that does not answer, a 503."""
    try:
        return call(*args)
    except PairGone:
        raise _gone() from None
    except (SQLAlchemyError, PairBusy):
        raise ApiError(503, "The database is not answering; try again shortly.") from None


def _practice():
    flow = _flow()
    check_api_key()
    return flow


def _invite_json(code: str, expires_at: str) -> dict:
    root = request.url_root
    return {
        "code": code,
        "form_url": f"{root}form#invite={code}",
        "answers_url": f"{root}v1/couples/answers",
        "expires_at": expires_at,
    }


def _report_url(pair_id: str, token: str) -> str:
    return f"{request.url_root}couples/{pair_id}/report#token={token}"


PRACTICE = {"tags": ["couples"], "security": KEYED}


@bp.post("")
@openapi.documented(
    {
        **PRACTICE,
        "summary": "Create a pair: one invite per partner and a report link (API key)",
        "operationId": "createCouple",
        "requestBody": {"required": False, **openapi.json_body("CoupleLabel")},
        "responses": {
            "201": {
                "description": "The pair, its invites and report link",
                **openapi.json_body("CoupleCreated"),
            },
            **openapi.errors("BadRequest", "Unauthorized", "ValidationFailed", "Unavailable"),
        },
    }
)
def create_couple():
    """Create a pair with one invite per partner and a report link."""
    flow = _practice()
    label, body = None, request_body(request)
    if body.strip():
        try:
            label = couple_label_schema.load(parse_json(body)).get("label")
        except ValidationError as error:
            raise ApiError(422, "The label needs another look.", error.messages) from None
    pair, codes = _answered(flow.create, label)
    invites = {
        role: _invite_json(codes[role], pair.meta["partners"][role]["invite_expires_at"]) for role in ROLES
    }
    return {
        "id": pair.id,
        "invites": invites,
        "report_url": _report_url(pair.id, codes["report"]),
        "retain_until": iso(pair.retain_until),
    }, 201


@bp.get("/<pair:pair_id>")
@openapi.documented(
    {
        **PRACTICE,
        "summary": "Show a pair: status, each partner's own result, the joint view (API key)",
        "operationId": "getCouple",
        "parameters": [PAIR_PARAMETER],
        "responses": {
            **openapi.ok("Couple", "The pair"),
            **openapi.errors("Unauthorized", "NotFound", "Unavailable"),
        },
    }
)
def get_couple(pair_id):
    """Show a pair's status, each partner's own result and the joint view."""
    flow = _practice()
    return _answered(flow.practice_view, _pair_id(pair_id))


@bp.delete("/<pair:pair_id>")
@openapi.documented(
    {
        **PRACTICE,
        "summary": "Erase a pair and everything of it (API key)",
        "operationId": "deleteCouple",
        "parameters": [PAIR_PARAMETER],
        "responses": {
            "204": {"description": "Erased"},
            **openapi.errors("Unauthorized", "NotFound", "Unavailable"),
        },
    }
)
def delete_couple(pair_id):
    """Erase a pair: afterwards every URL and code of it is a 404."""
    flow = _practice()
    if not _answered(flow.erase, _pair_id(pair_id)):
        raise _gone()
    return "", 204


@bp.post("/<pair:pair_id>/invites/<role>")
@openapi.documented(
    {
        **PRACTICE,
        "summary": "Issue a fresh invite for one partner, voiding their old invite and answers (API key)",
        "operationId": "reinviteCouplePartner",
        "parameters": [PAIR_PARAMETER, ROLE_PARAMETER],
        "responses": {
            "201": {"description": "The new invite", **openapi.json_body("Invite")},
            **openapi.errors("Unauthorized", "NotFound", "Unavailable"),
        },
    }
)
def reinvite_partner(pair_id, role):
    """Issue a fresh invite for one partner."""
    flow = _practice()
    if role not in ROLES:
        raise _gone()
    code, expires_at = _answered(flow.reinvite, _pair_id(pair_id), role)
    return _invite_json(code, expires_at), 201


@bp.post("/<pair:pair_id>/report-link")
@openapi.documented(
    {
        **PRACTICE,
        "summary": "Make a new report link; the old one stops working (API key)",
        "operationId": "rotateCoupleReportLink",
        "parameters": [PAIR_PARAMETER],
        "responses": {
            "201": {"description": "The new report link", **openapi.json_body("ReportLink")},
            **openapi.errors("Unauthorized", "NotFound", "Unavailable"),
        },
    }
)
def rotate_report_link(pair_id):
    """Make a new report link; the old token is a 404 from now on."""
    flow = _practice()
    token = _answered(flow.rotate_report, _pair_id(pair_id))
    return {"report_url": _report_url(pair_id, token)}, 201


@bp.get("/<pair:pair_id>/report")
@openapi.documented(
    {
        "tags": ["couples"],
        "security": BEARER,
        "summary": "The report: status and the joint view, no partner's result (report token)",
        "operationId": "getCoupleReport",
        "parameters": [PAIR_PARAMETER],
        "responses": {
            **openapi.ok("CoupleReport", "The report"),
            **openapi.errors("NotFound", "Unavailable"),
        },
    }
)
def get_report(pair_id):
    """Show the pair's status and joint view to the holder of its report link."""
    flow = _flow()
    return _answered(flow.report_view, _pair_id(pair_id), _bearer())


@bp.get("/<pair:pair_id>/report/<role>")
@openapi.documented(
    {
        "tags": ["couples"],
        "security": BEARER,
        "summary": "One partner's own result, for its own page (report token)",
        "operationId": "getCouplePartnerReport",
        "parameters": [PAIR_PARAMETER, ROLE_PARAMETER],
        "responses": {
            **openapi.ok("Result", "That partner's own result (null until they answered)"),
            **openapi.errors("NotFound", "Unavailable"),
        },
    }
)
def get_partner_report(pair_id, role):
    """Show one partner's own result to the holder of the report link."""
    flow = _flow()
    if role not in ROLES:
        raise _gone()
    # The partner's own result as it is (JSON null until they answered).
    return current_app.json.response(_answered(flow.report_partner, _pair_id(pair_id), _bearer(), role))


@bp.post("/answers")
@openapi.documented(
    {
        "tags": ["couples"],
        "security": BEARER,
        "summary": "Send one partner's answers with their invite; their own result comes back",
        "description": (
            "The same body and result as POST /v1/assessments, with withdraw_token added. The invite is "
            "spent (a 422 does not spend it). A missing, wrong, spent, replaced, voided or expired invite "
            "is a 404. A query string is ignored."
        ),
        "operationId": "answerAsPartner",
        "requestBody": {"required": True, **openapi.json_body("Answers")},
        "responses": {
            **openapi.ok("PartnerResult", "The partner's own result, and the token that withdraws it"),
            **openapi.errors(
                "BadRequest",
                "NotFound",
                "PayloadTooLarge",
                "UnsupportedMediaType",
                "ValidationFailed",
                "Unavailable",
            ),
        },
    }
)
def answer_as_partner():
    """Take one partner's answers and give back their own result."""
    flow = _flow()
    code = _bearer()
    if request.mimetype != "application/json":
        raise ApiError(415, "Send the answers as JSON (application/json).")
    raw = parse_json(request_body(request))
    accepted = _answered(flow.submit, code, raw, request_id())
    result = accepted.result
    # Not counted by outcome or rule (record_decision): whoever reads the metrics could time "a partner
    # answered with an urgent concern". Only the request itself is counted, as every request is.
    headers = {}
    if accepted.decision_id:
        result = replace(result, decision_id=accepted.decision_id)
        headers["X-Decision-ID"] = accepted.decision_id
    elif services().decision_log is not None:
        record_log_drop()
    alerts = services().alerts
    if alerts is not None:
        alerts.send(accepted.result, accepted.decision_id, (accepted.pair_id, accepted.role))
    joint = services().joint_queue
    pair_id = accepted.pair_id

    @after_this_request
    def _queue_after_sending(response):
        response.call_on_close(lambda: joint.put(pair_id))
        return response

    body = dump_result(result)
    return {**body, "withdraw_token": accepted.withdraw_token}, 200, headers


@bp.post("/invites/open")
@openapi.documented(
    {
        "tags": ["couples"],
        "security": BEARER,
        "summary": "Trade an invite for a fresh one (what the form does when it opens)",
        "description": (
            "The invite's code stops working and a fresh one, with the same expiry, comes back: the "
            "form keeps it in memory only, so the link (kept in a shared device's browser history) works "
            "once. An app may skip this and post the answers with the invite itself. A missing, wrong, "
            "spent, replaced, voided or expired invite is a 404."
        ),
        "operationId": "openInvite",
        "responses": {
            "200": {"description": "The fresh invite code", **openapi.json_body("OpenedInvite")},
            **openapi.errors("NotFound", "Unavailable"),
        },
    }
)
def open_invite():
    """Trade an invite for a fresh one that only this page holds."""
    flow = _flow()
    return {"code": _answered(flow.open_invite, _bearer())}


@bp.delete("/answers")
@openapi.documented(
    {
        "tags": ["couples"],
        "security": BEARER,
        "summary": "Withdraw one partner's answers with their withdrawal token",
        "operationId": "withdrawAsPartner",
        "responses": {
            "204": {"description": "Withdrawn and erased"},
            **openapi.errors("NotFound", "Unavailable"),
        },
    }
)
def withdraw_as_partner():
    """Withdraw a partner's answers: they, their result and the joint view are erased."""
    flow = _flow()
    _answered(flow.withdraw, _bearer())
    return "", 204


def couples_off_message(config, rulebook) -> str | None:
    """Why couple mode is off (one line for the 503), or None when it is on."""
    if not config["DATA_KEY"]:
        return f"Couple mode needs a data key: set CLOSENESS_DATA_KEY to one made with: {MAKE_ONE}"
    if rulebook.couple is None:
        return "Couple mode needs couple rules (rules/couple/) in this service's rules folder."
    return None
