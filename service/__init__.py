"""Closeness: explainable decision support on emotional intimacy, as a Flask app.

Floors, each importing only those below it (import-linter in `make test`): cli/ (the command,
gunicorn's config, boot) > api/ (every Flask view, errors, middleware, OpenAPI, the form) > interop/
(FHIR and CDS Hooks translators) > audit/ (report, impact, coverage, the decision log) and ops/
(settings, metrics, alerts) > core/ (answers, rulebook, engine, decision: no Flask) > schemas/.
"""

from __future__ import annotations

import atexit
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, the rulebook and its engine (built now, before serving), blueprints."""
    # Imported here, not at module level: gunicorn imports service.cli.gunicorn_conf (and so this
    # package) in its master, and prometheus_client must not be imported before the master has
    # chosen its multiprocess directory.
    from flask import Flask  # here: the batch and rules commands never need Flask

    from service.api import couples, docs, errors, metrics, middleware, services
    from service.api.jsonio import FastJSONProvider
    from service.api.openapi import build_openapi
    from service.audit.report import rulebook_blocks, to_html
    from service.core.decision import Evaluator
    from service.core.rulebook import load_rulebook
    from service.interop.fhir_response import ResponseReader
    from service.ops.settings import load_resources, rules_dir, settings, startup_warnings

    app = Flask(__name__, static_folder="api/static")
    app.json = FastJSONProvider(app)
    app.config.from_mapping(settings())
    if test_config:
        app.config.from_mapping(test_config)

    from service.cli import boot

    # Under gunicorn, the rulebook its master checked (inherited in memory); otherwise from the files.
    preloaded = boot.rulebook if not (test_config or {}).get("RULES_DIR") else None
    rulebook = preloaded or load_rulebook(rules_dir(app.config["RULES_DIR"]))
    resources = load_resources(app.config["RESOURCES_FILE"], rulebook.concerns, rulebook.resources)
    if preloaded is None:  # under gunicorn, its master says these once (service/cli/gunicorn_conf.py)
        for warning in startup_warnings(app.config):
            logging.getLogger("closeness").warning(warning)
    decision_log, alerts = _decision_log(app.config), _alerts(app.config)

    # Intake mode (results hidden from the person, or a practice named) relies on the practice seeing
    # urgent results in time: without an urgent-alert destination, /readyz says so too.
    intake_mode = bool(app.config["FORM_HIDE_RESULT"] or app.config["PRACTICE_NAME"])

    middleware.init_app(app)
    errors.init_app(app)
    metrics.init_app(app)
    _register_views(app)
    evaluator = Evaluator(rulebook, resources)
    couples_off = couples.couples_off_message(app.config, rulebook)
    flow, joint_queue = (None, None) if couples_off else _couples(app.config, evaluator, decision_log, alerts)
    app.extensions[services.KEY] = services.Services(
        evaluator=evaluator,
        resources="defaults" if resources is None else "configured",
        intake_without_alerts=intake_mode and alerts is None,
        fhir_reader=ResponseReader(app.config["FHIR_BASE"]),
        report_html=to_html(rulebook_blocks(rulebook, app.config["ARTICLE_BASE_URL"])),
        # Collected from the views' own declarations, once the routes exist.
        openapi=build_openapi(docs.service_version(), app),
        decision_log=decision_log,
        alerts=alerts,
        couples=flow,
        couples_off=couples_off or "",
        joint_queue=joint_queue,
    )
    return app


def _register_views(app) -> None:
    """One blueprint per resource (and the rulebook's page)."""
    from service.api import (
        assessments,
        cds_hooks,
        couple_pages,
        couples,
        decision_records,
        docs,
        fhir,
        form,
        health,
        questionnaire_page,
        rule_pages,
    )

    views = (
        assessments,
        questionnaire_page,
        rule_pages,
        fhir,
        cds_hooks,
        form,
        decision_records,
        health,
        docs,
        couples,
        couple_pages,
    )
    for module in views:
        app.register_blueprint(module.bp)
    app.register_blueprint(rule_pages.html_bp)


def _couples(config, evaluator, decision_log, alerts):
    """Couple mode's flow and joint-view queue (its database brought up to date first)."""
    from service.api.couple_queue import JointQueue
    from service.audit.couple_flow import CoupleFlow
    from service.audit.couples_store import CouplesStore
    from service.audit.decision_log import migrate

    if config["DECISION_LOG_MIGRATE"] != "pending":
        migrate(config["DATABASE_URL"])
    flow = CoupleFlow(
        CouplesStore.from_settings(config), evaluator, decision_log, config["DECISION_LOG_ANSWERS"]
    )
    return flow, JointQueue(flow, alerts)


def _decision_log(config):
    """The decision log when it is on (CLOSENESS_DECISION_LOG), else None."""
    if not config["DECISION_LOG"]:
        return None
    from service.audit.decision_log import DecisionLog, spool_directory
    from service.ops.metrics import record_log_failure
    from service.ops.settings import spool_base

    decision_log = DecisionLog(
        config["DATABASE_URL"],
        config["DECISION_LOG_ANSWERS"],
        config["DECISION_LOG_RETENTION_DAYS"],
        spool_dir=spool_directory(spool_base(config), config["DATABASE_URL"]),
        spool_max_bytes=config["DECISION_SPOOL_MAX_MB"] << 20,
        on_failure=record_log_failure,
        migrate_first=config["DECISION_LOG_MIGRATE"] == "pending",
    )
    # Retention runs in the spool's shipper thread (at its first contact, then hourly); what is left in
    # the spool is shipped when the process exits.
    atexit.register(decision_log.close)
    return decision_log


def _alerts(config):
    """The urgent-alert sender when a webhook is configured, else None."""
    if not config["ALERT_WEBHOOK_URL"]:
        return None
    from service.ops.alerts import AlertSender
    from service.ops.settings import ConfigError

    if not config["ALERT_SECRET"]:
        raise ConfigError("CLOSENESS_ALERT_WEBHOOK_URL needs CLOSENESS_ALERT_SECRET to sign the alerts")
    return AlertSender(
        config["ALERT_WEBHOOK_URL"], config["ALERT_SECRET"], config["ALERT_NOTED"], config["ALERT_RETRY_BASE"]
    )
