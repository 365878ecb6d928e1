"""Strict parsing of client JSON (no NaN or Infinity, no duplicate keys, no echoed content): one
reading for the API, the command line and the settings' files alike."""

import json

from service.core.exceptions import ClosenessError


class JsonInputError(ClosenessError):
    """Input that is not strict JSON; the message gives the position, never the content."""


def _refuse_constant(name):
    raise JsonInputError("NaN and Infinity are not JSON numbers.")


def _unique_keys(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise JsonInputError("An object repeats a key; each question may be answered only once.")
    return obj


# Built once: json.loads with options builds a new decoder (and scanner) on every call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)


def parse_json(text: str | bytes):
    """Parse one JSON document strictly (what json.loads accepts, minus NaN, Infinity and repeated keys)."""
    try:
        if isinstance(text, bytes | bytearray):  # as json.loads: UTF-8, -16 or -32, told apart by the bytes
            text = text.decode(json.detect_encoding(text), "surrogatepass")
        elif text.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
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
