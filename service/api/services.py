"""The app's services, built once by create_app before serving; views read them, never fill them."""

from dataclasses import dataclass
from typing import Any

from flask import current_app

from service.core.decision import Evaluator
from service.interop.fhir_response import ResponseReader

KEY = "closeness"


@dataclass(frozen=True)
class Services:
    evaluator: Evaluator
    resources: str  # "defaults" until a deployment configures its local services, then "configured"
    intake_without_alerts: bool  # intake mode (results hidden, or a practice named) and no urgent alerts
    fhir_reader: ResponseReader
    report_html: str  # the rulebook as a readable page (GET /rules)
    openapi: dict  # collected from the views' own declarations
    decision_log: Any = None  # service.audit.decision_log.DecisionLog when the log is on
    alerts: Any = None  # service.ops.alerts.AlertSender when alerts are configured

    @property
    def rulebook(self):
        return self.evaluator.rulebook


def services() -> Services:
    return current_app.extensions[KEY]
