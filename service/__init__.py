"""Closeness: explainable decision support on emotional intimacy, as a Flask app."""

import logging

from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, the rulebook and its engine (built now, before serving), blueprints."""
    # Imported here, not at module level: gunicorn imports service.gunicorn_conf (and so this
    # package) in its master, and prometheus_client must not be imported before the master has
    # chosen its multiprocess directory.
    from service import (
        assessments,
        cds_hooks,
        decisions,
        docs,
        errors,
        fhir,
        form,
        health,
        metrics,
        middleware,
        questionnaire,
        rules,
    )
    from service.config import DEFAULTS, ConfigError, load_resources, rules_dir, settings_from_env
    from service.decision import Evaluator
    from service.jsonio import FastJSONProvider
    from service.rulebook import load_rulebook

    app = Flask(__name__)
    app.json = FastJSONProvider(app)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(settings_from_env())
    if test_config:
        app.config.from_mapping(test_config)

    rulebook = load_rulebook(rules_dir(app.config["RULES_DIR"]))
    resources = load_resources(app.config["RESOURCES_FILE"], rulebook.concerns)
    if resources is None:
        logging.getLogger("closeness").warning(
            "support resources: using the rulebook's defaults, which name no local service; "
            "set CLOSENESS_RESOURCES_FILE to your local crisis, abuse and counseling services"
        )
    app.extensions["closeness"] = Evaluator(rulebook, resources)
    app.extensions["closeness.resources"] = "defaults" if resources is None else "configured"
    if app.config["DECISION_LOG"]:
        from service.decision_log import DecisionLog

        app.extensions["closeness.log"] = decision_log = DecisionLog(
            app.config["DECISION_LOG_URL"],
            app.config["DECISION_LOG_ANSWERS"],
            app.config["DECISION_LOG_RETENTION_DAYS"],
        )
        decision_log.apply_retention()  # at start, then at most hourly as decisions are written

    if app.config["ALERT_WEBHOOK_URL"]:
        if not app.config["ALERT_SECRET"]:
            raise ConfigError("CLOSENESS_ALERT_WEBHOOK_URL needs CLOSENESS_ALERT_SECRET to sign the alerts")
        from service.alerts import AlertSender

        app.extensions["closeness.alerts"] = AlertSender(
            app.config["ALERT_WEBHOOK_URL"],
            app.config["ALERT_SECRET"],
            app.config["ALERT_NOTED"],
            app.config["ALERT_RETRY_BASE"],
        )

    middleware.init_app(app)
    errors.init_app(app)
    metrics.init_app(app)
    for module in (assessments, questionnaire, rules, fhir, cds_hooks, form, decisions, health, docs):
        app.register_blueprint(module.bp)
    app.register_blueprint(rules.html_bp)
    return app
