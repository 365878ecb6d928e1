"""GET /livez and /readyz."""

import pytest


def test_liveness(client):
    assert client.get("/livez").get_json() == {"status": "live"}


def test_readiness_reports_the_ruleset(client, rulebook):
    body = client.get("/readyz").get_json()
    assert body == {
        "status": "ready",
        "ruleset": {"version": rulebook.version, "digest": rulebook.digest},
        "resources": "defaults",
    }


def test_not_ready_when_the_engine_fails():
    from service import create_app

    app = create_app({"TESTING": True})
    app.extensions["closeness"].evaluator.engine._rule_names = frozenset()  # running any action now fails
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["code"] == "unavailable"
    assert app.test_client().get("/livez").status_code == 200


def test_default_resources_are_warned_about_at_startup(caplog):
    from service import create_app

    with caplog.at_level("WARNING", logger="closeness"):
        create_app({"TESTING": True})
    assert any("CLOSENESS_RESOURCES_FILE" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("intake", [{"FORM_HIDE_RESULT": True}, {"PRACTICE_NAME": "Riverside Clinic"}])
def test_intake_mode_without_urgent_alerts_is_warned_about_and_shown(caplog, intake):
    from service import create_app

    with caplog.at_level("WARNING", logger="closeness"):
        app = create_app({"TESTING": True, **intake})
    assert any("intake mode without urgent alerts" in record.getMessage() for record in caplog.records)
    body = app.test_client().get("/readyz").get_json()
    assert body["alerts"] == "not configured in intake mode"


def test_intake_mode_with_urgent_alerts_is_not_warned_about(caplog):
    from service import create_app

    config = {"TESTING": True, "FORM_HIDE_RESULT": True, "ALERT_WEBHOOK_URL": "http://127.0.0.1:9/hook"}
    with caplog.at_level("WARNING", logger="closeness"):
        app = create_app({**config, "ALERT_SECRET": "s" * 32})
    assert not any("intake mode" in record.getMessage() for record in caplog.records)
    assert app.test_client().get("/readyz").get_json()["alerts"] == "ok"
