"""GET /form: the questionnaire as an embeddable, accessible web form; /form/embed.js for host pages."""

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, request, url_for
from markupsafe import escape

from schemas.questionnaire import article_sections

bp = Blueprint("form", __name__, url_prefix="/form")
LABELS_DIR = Path(__file__).resolve().parent / "form_labels"
PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" href="data:,">
</head>
<body>
<main id="closeness" aria-live="polite">
<h1>{title}</h1>
<p class="intro">{intro}</p>
<noscript><p>This form needs JavaScript.</p></noscript>
</main>
<script type="application/json" id="closeness-config">{config}</script>
<script src="{js}"></script>
</body>
</html>
"""


@cache
def labels(lang: str) -> dict | None:
    """The form's words in one language: one JSON file per language, so a translation is a file."""
    path = LABELS_DIR / f"{lang}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _form_csp() -> str:
    ancestors = " ".join(["'self'", *current_app.config["FRAME_ANCESTORS"]])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        f"frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'"
    )


@bp.get("")
def get_form():
    """Show the questionnaire as a web form."""
    words = labels(request.args.get("lang", "en")) or labels("en")
    parent = request.args.get("parent", "")
    config = {
        "questionnaire": url_for("questionnaire.get_questionnaire"),
        "assessments": url_for("assessments.create_assessment"),
        "articleBase": current_app.config["ARTICLE_BASE_URL"],
        # Results are posted only to an embedding page whose origin is allowed to frame the form.
        "parentOrigin": parent if parent in current_app.config["FRAME_ANCESTORS"] else None,
        "hideResult": request.args.get("result") == "hide" or current_app.config["FORM_HIDE_RESULT"],
        "labels": words,
        "sections": {sid: section["title"] for sid, section in article_sections().items()},
    }
    # JSON inside a non-executed script element; "<" is escaped so the data cannot close the element.
    data = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    page = PAGE.format(
        lang=escape(words["lang"]),
        title=escape(words["title"]),
        intro=escape(words["intro"]),
        config=data,
        css=url_for("static", filename="form.css"),
        js=url_for("static", filename="form.js"),
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _form_csp()
    return response


@cache
def _embed_script() -> bytes:
    return (Path(__file__).resolve().parent / "static" / "embed.js").read_bytes()


@bp.get("/embed.js")
def get_embed_script():
    """Serve the script a host page includes to embed the form."""
    return Response(_embed_script(), mimetype="text/javascript")
