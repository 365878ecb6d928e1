"""Decide and record: every decision, whatever channel it came through, is counted and logged alike."""

from dataclasses import replace

from service.api.middleware import request_id
from service.api.services import services
from service.core.decision import Assessment
from service.core.result import Result
from service.ops.metrics import record_decision, record_log_drop


def record(assessment: Assessment, channel: str) -> tuple[Result, dict]:
    """Count the decision and write it to the log when the log is on: (result, response headers).

    The decision id goes into the result (`decision_id`) and the X-Decision-ID header once the decision
    is in the spool, from which it reaches the database. Only a full spool drops a decision: the result
    goes out without an id, and the drop is counted and shown on /readyz.
    """
    result = assessment.result
    record_decision(result)
    decision_log = services().decision_log
    decision_id = None
    if decision_log is not None:
        decision_id = decision_log.record(result, assessment.answers, request_id(), channel)
        if decision_id is None:
            record_log_drop()
    alerts = services().alerts
    if alerts is not None:
        alerts.send(result, decision_id)  # queued: delivered off the request path
    if decision_id is None:
        return result, {}
    return replace(result, decision_id=decision_id), {"X-Decision-ID": decision_id}
