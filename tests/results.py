"""Results as the API sends them: the typed Result dumped through ResultSchema (schemas/contract.py)
and read back from its JSON, as a client would (lists, never the frozen tuples the result holds)."""

import orjson

from schemas.contract import dump_result
from service.core.decision import Evaluator
from service.core.result import Result


def as_json(result: Result) -> dict:
    return orjson.loads(orjson.dumps(dump_result(result)))


def assess(evaluator: Evaluator, raw) -> dict:
    """The JSON result for raw answers (AnswersInvalid when they decide nothing)."""
    return as_json(evaluator.decide(raw).result)
