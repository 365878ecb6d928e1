"""The Closeness app plus two JSON POST endpoints, for side-by-side HTTP benchmarks only.

- POST /bench/trivial does what any JSON POST endpoint must (read and strictly parse the body) and
  answers a small JSON object, through the same app, middleware, metrics and gunicorn config as
  POST /v1/assessments.
- POST /bench/decided does everything POST /v1/assessments does but decide: it reads and strictly
  parses the body, then records and answers one result, decided once per process from a fixed
  answer set (bench.common's first case), the same size as a usual result. What separates it from
  POST /v1/assessments is the decision alone (reading the answers, the engine, resolving).

Neither is ever part of the served product.
"""

from functools import cache

import orjson
from flask import Blueprint, Response, request

from bench.common import unique_cases
from schemas.contract import dump_result
from service import create_app as create_service_app
from service.api.jsonio import request_body
from service.api.recording import record
from service.api.services import services
from service.core.json_input import parse_json

bp = Blueprint("bench", __name__)


@bp.post("/bench/trivial")
def trivial_post():
    """Parse the JSON body and acknowledge it."""
    body = parse_json(request_body(request))
    return {"status": "received", "fields": len(body) if isinstance(body, dict) else 0}


@cache
def _decided_once(evaluator):
    return evaluator.decide(unique_cases(1, 11)[0])


@bp.post("/bench/decided")
def decided_post():
    """Parse the JSON body, then record and answer a result decided once, as POST /v1/assessments does."""
    parse_json(request_body(request))
    result, headers = record(_decided_once(services().evaluator), "json")
    return Response(orjson.dumps(dump_result(result)), 200, headers, mimetype="application/json")


def create_app():
    app = create_service_app()
    app.register_blueprint(bp)
    return app
