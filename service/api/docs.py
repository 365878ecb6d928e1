"""GET /openapi.json and /docs: the API described, with Swagger UI served from local assets only."""

from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, Response, abort, send_from_directory, url_for
from markupsafe import escape
from swagger_ui_bundle import swagger_ui_path

from service.api import openapi
from service.api.services import services

bp = Blueprint("docs", __name__)
ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "favicon-16x16.png"}
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Closeness API</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" type="image/png" href="{icon}">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{spec}"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


def service_version() -> str:
    try:
        return version("closeness")
    except PackageNotFoundError:
        return "0+unknown"


@bp.get("/openapi.json")
@openapi.documented(
    {
        "summary": "This document",
        "operationId": "getOpenApi",
        "tags": ["docs"],
        "responses": {
            "200": {"description": "OpenAPI 3 document", **openapi.json_body({"type": "object"})},
            **openapi.errors(),
        },
    }
)
def get_openapi():
    """Describe the API as OpenAPI 3."""
    return services().openapi


@bp.get("/docs")
@openapi.documented(
    {
        "summary": "Interactive API documentation (Swagger UI, served locally)",
        "operationId": "getDocs",
        "tags": ["docs"],
        "responses": {**openapi.text("HTML page", "text/html"), **openapi.errors()},
    }
)
def get_docs():
    """Show the interactive API documentation."""
    page = PAGE.format(
        css=escape(url_for("docs.get_asset", filename="swagger-ui.css")),
        icon=escape(url_for("docs.get_asset", filename="favicon-32x32.png")),
        spec=escape(url_for("docs.get_openapi")),
        bundle=escape(url_for("docs.get_asset", filename="swagger-ui-bundle.js")),
        init=escape(url_for("static", filename="docs-init.js")),
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


@bp.get("/docs/assets/<filename>")
def get_asset(filename: str):
    """Serve one Swagger UI asset from the installed package."""
    if filename not in ASSETS:
        abort(404)
    return send_from_directory(swagger_ui_path, filename, max_age=3600)
