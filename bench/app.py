"""The Closeness app plus one trivial JSON POST endpoint, for side-by-side HTTP benchmarks only.

POST /bench/trivial does what any JSON POST endpoint must (read and strictly parse the body) and
answers a small JSON object, through the same app, middleware, metrics and gunicorn config as
POST /v1/assessments. It is never part of the served product.
"""

from flask import Blueprint, request

from service import create_app as create_service_app
from service.api.jsonio import request_body
from service.core.json_input import parse_json

bp = Blueprint("bench", __name__)


@bp.post("/bench/trivial")
def trivial_post():
    """Parse the JSON body and acknowledge it."""
    body = parse_json(request_body(request))
    return {"status": "received", "fields": len(body) if isinstance(body, dict) else 0}


def create_app():
    app = create_service_app()
    app.register_blueprint(bp)
    return app
