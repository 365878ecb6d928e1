"""Results as the API sends them: the typed Result dumped through ResultSchema (schemas/contract.py)."""

from schemas.contract import dump_result
from service.core.decision import Evaluator


def assess(evaluator: Evaluator, raw) -> dict:
    """The JSON result for raw answers (AnswersInvalid when they decide nothing)."""
    return dump_result(evaluator.decide(raw).result)
