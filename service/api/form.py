"""GET /form: the questionnaire as an embeddable, accessible web form; /form/embed.js for host pages."""

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, request, url_for
from markupsafe import escape

from schemas.questionnaire import article_sections, load_questionnaire
from schemas.resources import dump_resources
from service.api import openapi
from service.api.services import services

bp = Blueprint("form", __name__, url_prefix="/form")
LABELS_DIR = Path(__file__).resolve().parent / "form_labels"
PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" href="data:,">
</head>
<body>
<div class="exit-bar"><button type="button" id="quick-exit" class="quick-exit">{exit}</button></div>
<main id="closeness">
<h1 id="form-heading">{heading}</h1>
<noscript><p>This form needs JavaScript.</p></noscript>
</main>
<script type="application/json" id="closeness-config">{config}</script>
<script src="{js}"></script>
</body>
</html>
"""


@cache
def _all_labels() -> dict[str, dict]:
    """Every language's words, read once: one JSON file per language, so a translation is a file."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(LABELS_DIR.glob("*.json"))
    }


def labels(lang: str) -> dict | None:
    """The words of a shipped language, or None: a client's value never names a file or fills a cache."""
    return _all_labels().get(lang)


def _form_csp() -> str:
    ancestors = " ".join(["'self'", *current_app.config["FRAME_ANCESTORS"]])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        f"frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'"
    )


def _support_by_topic() -> dict:
    resolver = services().evaluator.resolver
    topics = dict(resolver.topics)
    for question in load_questionnaire().follow_ups:  # a follow-up speaks of its triggers' topic
        topics[question.id] = topics[question.follow_up_of[0]]
    # The support shown at once on a yes, by topic: the resources of the concerns that name the topic
    # (their form_topic in the rule files), in the rulebook's order.
    support = {
        topic: dump_resources(resolver.select_resources(concerns, ()))
        for topic, concerns in resolver.form_topics.items()
    }
    # "I'd rather not say": the support everyone gets for that topic, shown at once too.
    declined = {
        topic: dump_resources(resolver.select_resources((f"declined:{topic}",), ()))
        for topic in resolver.form_topics
    }
    # A question's own support on a yes or "I'd rather not say" (answer:<id>; the harm question: a
    # sexual violence service), after its topic's.
    extra = {
        question.id: dump_resources(resolver.select_resources((f"answer:{question.id}",), ()))
        for question in load_questionnaire().base_safety_questions
    }
    return {
        "topics": topics,
        "resources": support,
        "declined": declined,
        "extra": {question: found for question, found in extra.items() if found},
    }


@bp.get("")
@openapi.documented(
    {
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
        "responses": {**openapi.text("HTML page", "text/html"), **openapi.errors()},
    }
)
def get_form():
    """Show the questionnaire as a web form."""
    words = labels(request.args.get("lang", "en")) or labels("en")
    parent = request.args.get("parent", "")
    settings = current_app.config
    config = {
        "questionnaire": url_for("questionnaire.get_questionnaire"),
        "assessments": url_for("assessments.create_assessment"),
        "articleBase": current_app.config["ARTICLE_BASE_URL"],
        # Results are posted only to an embedding page whose origin is allowed to frame the form.
        "parentOrigin": parent if parent in current_app.config["FRAME_ANCESTORS"] else None,
        "hideResult": request.args.get("result") == "hide" or settings["FORM_HIDE_RESULT"],
        "exitUrl": settings["QUICK_EXIT_URL"],
        "practice": {"name": settings["PRACTICE_NAME"], "responseTime": settings["PRACTICE_RESPONSE_TIME"]},
        "support": _support_by_topic(),
        "labels": words,
        # Couple mode: where a partner's answers go with their invite, and what the practice does with
        # what one partner tells it alone.
        "couples": {
            "answers": url_for("couples.answer_as_partner"),
            "open": url_for("couples.open_invite"),
            "sharingNote": settings["COUPLE_SHARING_NOTE"],
        },
        "sections": {sid: section["title"] for sid, section in article_sections().items()},
    }
    # JSON inside a non-executed script element; "<" is escaped so the data cannot close the element.
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    page = PAGE.format(
        lang=escape(words["lang"]),
        title=escape(settings["FORM_TITLE"]),
        heading=escape(words["title"]),
        exit=escape(words["quick_exit"]),
        config=data,
        css=url_for("static", filename="form.css"),
        js=url_for("static", filename="form.js"),
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _form_csp()
    # A partner's invite opens this page too (couple mode): never indexed, like every couple page.
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@cache
def _embed_script() -> bytes:
    return (Path(__file__).resolve().parent / "static" / "embed.js").read_bytes()


@bp.get("/embed.js")
@openapi.documented(
    {
        "summary": "Script that embeds the form in a host page",
        "operationId": "getEmbedScript",
        "tags": ["form"],
        "responses": {**openapi.text("JavaScript", "text/javascript"), **openapi.errors()},
    }
)
def get_embed_script():
    """Serve the script a host page includes to embed the form."""
    return Response(_embed_script(), mimetype="text/javascript")
