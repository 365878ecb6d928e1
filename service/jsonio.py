"""JSON in and out: strict parsing of client input (no NaN or Infinity, no duplicate keys, no echoed
content) and fast encoding of responses."""

import json

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

from service.exceptions import ClosenessError


class JsonInputError(ClosenessError):
    """Input that is not strict JSON; the message gives the position, never the content."""


def _refuse_constant(name):
    raise JsonInputError("NaN and Infinity are not JSON numbers.")


def _unique_keys(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise JsonInputError("An object repeats a key; each question may be answered only once.")
    return dict(pairs)


def parse_json(text: str | bytes):
    """Parse one JSON document strictly."""
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except JsonInputError:
        raise
    except json.JSONDecodeError as error:
        raise JsonInputError(
            f"Not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})."
        ) from None
    except UnicodeDecodeError:
        raise JsonInputError("Not valid JSON: the body is not UTF-8 text.") from None
    except RecursionError:
        raise JsonInputError("Not valid JSON: nested too deeply.") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise JsonInputError("Not valid JSON: a number has too many digits.") from None


class FastJSONProvider(DefaultJSONProvider):
    """Flask's JSON output through orjson (~20x faster on a result); input stays strict and stdlib."""

    def dumps(self, obj, **kwargs) -> str:
        return orjson.dumps(obj, default=self.default).decode()

    def response(self, *args, **kwargs) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(orjson.dumps(obj, default=self.default), mimetype=self.mimetype)
