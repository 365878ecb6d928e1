"""Per-request plumbing: request ids, one JSON log line per request, security headers and CORS."""

import logging
import re
import sys
import time
import uuid

import orjson
from flask import Flask, current_app, g, request

from service.api import services
from service.api.errors import error_response

access_log = logging.getLogger("closeness.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Set on every response that has not set them itself (the form sets its own CSP).
STATIC_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("Content-Security-Policy", API_CSP),
)
CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, X-Request-ID"  # CDS Hooks clients send a JWT


class JsonLineFormatter(logging.Formatter):
    """Log records as one JSON object per line; only the fields a record carries on purpose."""

    FIELDS = ("method", "path", "status", "duration_ms", "request_id", "endpoint")

    _second, _time_text = -1, ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:  # one strftime a second, not one a line
            self._time_text = self.formatTime(record, "%Y-%m-%dT%H:%M:%S")
            self._second = second
        line = {
            "time": self._time_text,
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


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
    headers = response.headers
    present = {key.lower() for key, _ in headers.items()}
    added = [("X-Request-ID", g.get("request_id", ""))]
    built = current_app.extensions.get(services.KEY)
    if built is not None:  # which rulebook this answer was decided with
        added.append(("X-Ruleset-Digest", built.rulebook.digest))
    for key, value in added:
        if key.lower() in present:
            headers.set(key, value)
    headers.extend([(k, v) for k, v in added if k.lower() not in present])
    headers.extend([(k, v) for k, v in STATIC_HEADERS if k.lower() not in present])
    origin = request.headers.get("Origin")
    if origin and origin in current_app.config["CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = "X-Request-ID"
        response.vary.add("Origin")
    if access_log.isEnabledFor(logging.INFO):
        # The record made directly: logging's own info() walks the stack for the caller on every
        # request, which is a third of what a request's log line costs.
        record = logging.LogRecord(access_log.name, logging.INFO, __file__, 0, "request", None, None)
        record.method, record.path = request.method, request.path  # never the query string
        record.status, record.request_id = response.status_code, g.get("request_id", "")
        duration = time.perf_counter() - g.get("started", time.perf_counter())
        record.duration_ms = round(duration * 1000, 3)
        access_log.handle(record)
    return response


def init_app(app: Flask) -> None:
    configure_logging(app.config["LOG_LEVEL"])
    app.before_request(_start)
    app.after_request(_finish)
