"""Strict JSON parsing for client input: no NaN or Infinity, no duplicate keys, no echoed content."""

import json

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
