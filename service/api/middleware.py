"""Per-request plumbing: request ids, one JSON log line per request, security headers and CORS."""

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, current_app, g, request

from service.api import services
from service.api.errors import error_response

access_log = logging.getLogger("closeness.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, X-Request-ID"  # CDS Hooks clients send a JWT


class JsonLineFormatter(logging.Formatter):
    """Log records as one JSON object per line; only the fields a record carries on purpose."""

    FIELDS = ("method", "path", "status", "duration_ms", "request_id", "endpoint")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: str) -> None:
    root = logging.getLogger("closeness")
    if not any(isinstance(h.formatter, JsonLineFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLineFormatter())
        root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def _start():
    g.started = time.perf_counter()
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS" and origin and "Access-Control-Request-Method" in request.headers:
        if origin not in current_app.config["CORS_ORIGINS"]:
            return error_response(
                403, "This origin may not call the API from a browser.", code="origin_not_allowed"
            )
        response = current_app.make_response(("", 204))
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
        return response
    return None


def _finish(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    built = current_app.extensions.get(services.KEY)
    if built is not None:  # which rulebook this answer was decided with
        response.headers["X-Ruleset-Digest"] = built.rulebook.digest
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Content-Security-Policy", API_CSP)
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config["CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "X-Request-ID"
        response.vary.add("Origin")
    duration = time.perf_counter() - g.get("started", time.perf_counter())
    access_log.info(
        "request",
        extra={
            "method": request.method,
            "path": request.path,  # never the query string
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 3),
            "request_id": g.request_id,
        },
    )
    return response


def init_app(app: Flask) -> None:
    configure_logging(app.config["LOG_LEVEL"])
    app.before_request(_start)
    app.after_request(_finish)
