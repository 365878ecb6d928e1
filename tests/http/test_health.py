"""GET /livez and /readyz."""


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
    app.extensions["closeness"].evaluator.engine._handlers = {}  # running any action now fails
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["code"] == "unavailable"
    assert app.test_client().get("/livez").status_code == 200


def test_default_resources_are_warned_about_at_startup(caplog):
    from service import create_app

    with caplog.at_level("WARNING", logger="closeness"):
        create_app({"TESTING": True})
    assert any("CLOSENESS_RESOURCES_FILE" in record.getMessage() for record in caplog.records)
