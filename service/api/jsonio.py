"""JSON in and out over HTTP: the request body read within its limit, and fast encoding of responses.
Parsing itself is service/core/json_input.py."""

import orjson
from flask import Request, Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import RequestEntityTooLarge


def request_body(request: Request) -> bytes:
    """The request body, refused with 413 when it is over MAX_CONTENT_LENGTH.

    Read in one call from the server's stream: about twice as fast as werkzeug's guarded stream,
    which also cut a chunked body at the limit silently (a 400 for broken JSON instead of a 413).
    """
    environ, length, limit = request.environ, request.content_length, request.max_content_length
    if length is not None:
        if limit is not None and length > limit:
            raise RequestEntityTooLarge()
        return environ["wsgi.input"].read(length)
    if limit is None or "wsgi.input_terminated" not in environ:
        return request.get_data(cache=False)  # werkzeug's safe fallback for an unbounded stream
    body = environ["wsgi.input"].read(limit + 1)  # chunked: the server ends the stream
    if len(body) > limit:
        raise RequestEntityTooLarge()
    return body


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON output through orjson (~20x faster on a result); input stays strict and stdlib."""

    def dumps(self, obj, **kwargs) -> str:
        return orjson.dumps(obj, default=self.default).decode()

    def response(self, *args, **kwargs) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(orjson.dumps(obj, default=self.default), mimetype=self.mimetype)
