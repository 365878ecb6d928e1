"""The app's services, built once by create_app before serving; views read them, never fill them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

from service.core.decision import Evaluator
from service.interop.fhir_response import ResponseReader

if TYPE_CHECKING:  # imported where they are used: the log needs SQLAlchemy, which most deployments skip
    from service.api.couple_queue import JointQueue
    from service.audit.couple_flow import CoupleFlow
    from service.audit.decision_log import DecisionLog
    from service.core.rulebook import Rulebook
    from service.ops.alerts import AlertSender

KEY = "closeness"


@dataclass(frozen=True)
class Services:
    evaluator: Evaluator
    resources: str  # "defaults" until a deployment configures its local services, then "configured"
    intake_without_alerts: bool  # intake mode (results hidden, or a practice named) and no urgent alerts
    fhir_reader: ResponseReader
    report_html: str  # the rulebook as a readable page (GET /rules)
    openapi: dict  # collected from the views' own declarations
    decision_log: DecisionLog | None = None  # when the log is on
    alerts: AlertSender | None = None  # when alerts are configured
    couples: CoupleFlow | None = None  # couple mode, when it is on
    couples_off: str = ""  # why couple mode is off (the 503's one line)
    joint_queue: JointQueue | None = None  # decides joint views after the response is sent

    @property
    def rulebook(self) -> Rulebook:
        return self.evaluator.rulebook


def services() -> Services:
    return current_app.extensions[KEY]
