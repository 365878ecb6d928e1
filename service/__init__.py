"""Closeness: explainable decision support on emotional intimacy, as a Flask app.

Floors, each importing only those below it (import-linter in `make test`): cli/ (the command,
gunicorn's config, boot) > api/ (every Flask view, errors, middleware, OpenAPI, the form) > interop/
(FHIR and CDS Hooks translators) > audit/ (report, impact, coverage, the decision log) and ops/
(settings, metrics, alerts) > core/ (answers, rulebook, engine, decision: no Flask) > schemas/.
"""

import atexit
import logging

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, the rulebook and its engine (built now, before serving), blueprints."""
    # Imported here, not at module level: gunicorn imports service.cli.gunicorn_conf (and so this
    # package) in its master, and prometheus_client must not be imported before the master has
    # chosen its multiprocess directory.
    from service.api import (
        assessments,
        cds_hooks,
        decision_records,
        docs,
        errors,
        fhir,
        form,
        health,
        metrics,
        middleware,
        questionnaire_page,
        rule_pages,
        services,
    )
    from service.api.jsonio import FastJSONProvider
    from service.api.openapi import build_openapi
    from service.audit.report import rulebook_blocks, to_html
    from service.core.decision import Evaluator
    from service.core.rulebook import load_rulebook
    from service.interop.fhir_response import ResponseReader
    from service.ops.metrics import record_log_failure
    from service.ops.settings import (
        ConfigError,
        load_resources,
        rules_dir,
        settings,
        spool_base,
        startup_warnings,
    )

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
    decision_log = alerts = None
    if app.config["DECISION_LOG"]:
        from service.audit.decision_log import DecisionLog, spool_directory

        decision_log = DecisionLog(
            app.config["DECISION_LOG_URL"],
            app.config["DECISION_LOG_ANSWERS"],
            app.config["DECISION_LOG_RETENTION_DAYS"],
            spool_dir=spool_directory(spool_base(app.config), app.config["DECISION_LOG_URL"]),
            spool_max_bytes=app.config["DECISION_SPOOL_MAX_MB"] << 20,
            on_failure=record_log_failure,
            migrate_first=app.config["DECISION_LOG_MIGRATE"] == "pending",
        )
        # Retention runs in the spool's shipper thread (at its first contact, then hourly); what is left
        # in the spool is shipped when the process exits.
        atexit.register(decision_log.close)

    if app.config["ALERT_WEBHOOK_URL"]:
        if not app.config["ALERT_SECRET"]:
            raise ConfigError("CLOSENESS_ALERT_WEBHOOK_URL needs CLOSENESS_ALERT_SECRET to sign the alerts")
        from service.ops.alerts import AlertSender

        alerts = AlertSender(
            app.config["ALERT_WEBHOOK_URL"],
            app.config["ALERT_SECRET"],
            app.config["ALERT_NOTED"],
            app.config["ALERT_RETRY_BASE"],
        )

    # Intake mode (results hidden from the person, or a practice named) relies on the practice seeing
    # urgent results in time: without an urgent-alert destination, /readyz says so too.
    intake_mode = bool(app.config["FORM_HIDE_RESULT"] or app.config["PRACTICE_NAME"])

    middleware.init_app(app)
    errors.init_app(app)
    metrics.init_app(app)
    for module in (
        assessments,
        questionnaire_page,
        rule_pages,
        fhir,
        cds_hooks,
        form,
        decision_records,
        health,
        docs,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(rule_pages.html_bp)
    app.extensions[services.KEY] = services.Services(
        evaluator=Evaluator(rulebook, resources),
        resources="defaults" if resources is None else "configured",
        intake_without_alerts=intake_mode and alerts is None,
        fhir_reader=ResponseReader(app.config["FHIR_BASE"]),
        report_html=to_html(rulebook_blocks(rulebook, app.config["ARTICLE_BASE_URL"])),
        # Collected from the views' own declarations, once the routes exist.
        openapi=build_openapi(docs.service_version(), app),
        decision_log=decision_log,
        alerts=alerts,
    )
    return app
