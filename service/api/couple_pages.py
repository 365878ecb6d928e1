"""The practice's couple report pages: /couples/<id>/report (the joint view) and /couples/<id>/report/<a|b>
(one partner's own result, on its own page). Static shells: the script reads the report token from
the address's fragment (never sent to the server), removes it from the address bar, and sends it in
a header. Private: no-store, no referrer, noindex."""

import json

from flask import Blueprint, Response, url_for
from markupsafe import escape

from schemas.questionnaire import article_sections, load_questionnaire
from service.api import openapi
from service.api.couples import PAIR_ID, PAIR_PARAMETER, PRIVATE, ROLE_PARAMETER, ROLES
from service.api.errors import MESSAGES, ApiError
from service.api.questionnaire_page import answer_options
from service.api.services import services
from service.core.couple import AVAILABILITY, MOOD, REPORTS_OF_PARTNER

bp = Blueprint("couple_pages", __name__, url_prefix="/couples")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{report_css}">
<link rel="icon" href="data:,">
</head>
<body class="report">
<main id="report">
<h1 id="report-heading">{title}</h1>
<noscript><p>This report needs JavaScript.</p></noscript>
</main>
<script type="application/json" id="report-config">{config}</script>
<script src="{js}"></script>
</body>
</html>
"""
# The questions whose answers the comparison shows, with the words the partners saw.
SHOWN = (
    *AVAILABILITY,
    *MOOD,
    *REPORTS_OF_PARTNER,
    "missing_needs",
    "signs",
    "self_willing",
    "partner_willing",
)


def _config(pair_id: str, role: str | None) -> dict:
    questionnaire = load_questionnaire()
    questions = {}
    for question_id in SHOWN:
        question = questionnaire.question(question_id)
        questions[question_id] = {
            "text": question.text,
            "options": {json.dumps(o["value"]).strip('"'): o["label"] for o in answer_options(question)},
        }
    couple = services().rulebook.couple
    resolver = services().evaluator.resolver
    # A partner's own page names safety answers in words, never by id: each concern's clinician words
    # (its rule file), each declined question's own text.
    safety = {
        "concerns": {concern: words.words for concern, words in resolver.clinician_words.items()},
        "questions": {q.id: q.text for q in questionnaire.base_safety_questions},
    }
    return {
        "pair": pair_id,
        "partner": role,
        "api": f"/v1/couples/{pair_id}/report",
        "page": f"/couples/{pair_id}/report",
        "notice": couple.words.notice if couple else "",
        "gapWords": couple.words.gap_words if couple else {},
        "safety": safety,
        "questions": questions,
        "sections": {sid: section["title"] for sid, section in article_sections().items()},
    }


def _page(pair_id: str, role: str | None) -> Response:
    if not PAIR_ID.match(pair_id) or (role is not None and role not in ROLES):
        raise ApiError(404, MESSAGES[404])
    title = "Couple report" if role is None else f"Partner {role.upper()}: own result"
    data = json.dumps(_config(pair_id, role), ensure_ascii=False).replace("<", "\\u003c")
    page = PAGE.format(
        title=escape(title),
        config=data,
        css=url_for("static", filename="form.css"),
        report_css=url_for("static", filename="report.css"),
        js=url_for("static", filename="report.js"),
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    response.headers.update(PRIVATE)
    return response


PAGE_DOC = {
    "tags": ["couples"],
    "responses": {**openapi.text("HTML page", "text/html"), **openapi.errors("NotFound")},
}


@bp.get("/<pair:pair_id>/report")
@openapi.documented(
    {
        **PAGE_DOC,
        "summary": "The practice's couple report page",
        "operationId": "showCoupleReport",
        "parameters": [PAIR_PARAMETER],
    }
)
def show_report(pair_id):
    """Show the report page; its script reads the token from the address's fragment."""
    return _page(pair_id, None)


@bp.get("/<pair:pair_id>/report/<role>")
@openapi.documented(
    {
        **PAGE_DOC,
        "summary": "One partner's own result, on its own page",
        "operationId": "showCouplePartnerPage",
        "parameters": [PAIR_PARAMETER, ROLE_PARAMETER],
    }
)
def show_partner_page(pair_id, role):
    """Show one partner's own result page; its script reads the token from the address's fragment."""
    return _page(pair_id, role)
