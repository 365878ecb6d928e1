"""Settings from defaults, environment and a test mapping; the resources file."""

import json

import pytest

from service import create_app
from service.ops.settings import ConfigError, load_resources, settings_from_env


def test_environment_settings_are_parsed():
    settings = settings_from_env(
        {
            "CLOSENESS_MAX_BODY_BYTES": "4000",
            "CLOSENESS_CORS_ORIGINS": "https://a.example, https://b.example,",
            "CLOSENESS_LOG_LEVEL": "warning",
        }
    )
    assert settings == {
        "MAX_CONTENT_LENGTH": 4000,
        "CORS_ORIGINS": ["https://a.example", "https://b.example"],
        "LOG_LEVEL": "WARNING",
    }


def test_invalid_number_names_the_variable_not_the_value():
    with pytest.raises(ConfigError, match="CLOSENESS_MAX_BODY_BYTES has an invalid value"):
        settings_from_env({"CLOSENESS_MAX_BODY_BYTES": "lots"})


# A bad value for every setting a deployment sets (RULES_DIR and RESOURCES_FILE are loaded, and refused,
# by `closeness serve` before gunicorn starts: tests/unit/test_cli.py), and what the refusal says.
BAD_SETTINGS = {
    "CLOSENESS_MAX_BODY_BYTES": ("-5", "from 1024 to 16777216"),
    "CLOSENESS_CORS_ORIGINS": ("https://ehr.example/path", "list origins such as"),
    "CLOSENESS_LOG_LEVEL": ("LOUD", "not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    "CLOSENESS_FHIR_BASE": ("ftp://fhir", "not an http(s) URL"),
    "CLOSENESS_ARTICLE_BASE_URL": ("articles", "not an http(s) URL"),
    "CLOSENESS_FRAME_ANCESTORS": ("*", "list origins such as"),
    "CLOSENESS_FORM_HIDE_RESULT": ("sometimes", "not a yes/no value"),
    "CLOSENESS_FORM_TITLE": ("two\nlines", "one line of at most 200"),
    "CLOSENESS_QUICK_EXIT_URL": ("javascript:alert(1)", "not an http(s) URL"),
    "CLOSENESS_PRACTICE_NAME": ("x" * 201, "one line of at most 200"),
    "CLOSENESS_PRACTICE_RESPONSE_TIME": ("soon\tish", "one line of at most 200"),
    "CLOSENESS_DECISION_LOG": ("maybe", "not a yes/no value"),
    "CLOSENESS_DECISION_LOG_URL": ("mysql://x/y", "use sqlite:///PATH or postgresql"),
    "CLOSENESS_DECISION_LOG_ANSWERS": ("perhaps", "not a yes/no value"),
    "CLOSENESS_API_KEY": ("a key with spaces", "list keys without spaces"),
    "CLOSENESS_ALERT_WEBHOOK_URL": ("hooks.example", "not an http(s) URL"),
    "CLOSENESS_ALERT_SECRET": ("short", "at least 16 characters"),
    "CLOSENESS_ALERT_NOTED": ("2", "not a yes/no value"),
    "CLOSENESS_DECISION_LOG_RETENTION_DAYS": ("0", "from 1 up"),
    "CLOSENESS_DECISION_SPOOL_DIR": ("spool", "use an absolute path"),
    "CLOSENESS_DECISION_SPOOL_MAX_MB": ("lots", "not a whole number"),
    "CLOSENESS_READY_REQUIRES_DATABASE": ("yep", "not a yes/no value"),
    "CLOSENESS_HOST": ("local host", "an IP address or a host name"),
    "CLOSENESS_PORT": ("99999", "from 1 to 65535"),
    "CLOSENESS_WORKERS": ("0", "from 1 up"),
    "CLOSENESS_WORKER_CLASS": ("gevent", "not one of sync, gthread"),
    "CLOSENESS_THREADS": ("-1", "from 1 up"),
    "CLOSENESS_TIMEOUT": ("30s", "not a whole number"),
    "CLOSENESS_MAX_REQUESTS": ("0", "from 1 up"),
    "CLOSENESS_DATABASE_URL": ("sqlite://relative.db", "use sqlite:///PATH or postgresql"),
    "CLOSENESS_DATA_KEY": ("c2hvcnQ", "not 32 bytes of URL-safe base64; make one with"),
    "CLOSENESS_COUPLE_INVITE_DAYS": ("0", "from 1 to 365"),
    "CLOSENESS_COUPLE_RETENTION_DAYS": ("ten", "not a whole number"),
    "CLOSENESS_COUPLE_SHARING_NOTE": ("x" * 301, "one line of at most 300"),
}
INTERNAL = {"CLOSENESS_RULES_SOURCE", "CLOSENESS_DECISION_LOG_MIGRATE"}  # set by gunicorn's master
LOADED_BY_SERVE = {"CLOSENESS_RULES_DIR", "CLOSENESS_RESOURCES_FILE"}


def test_every_setting_has_a_bad_value_tried():
    from service.ops.settings import ENVIRONMENT

    assert set(BAD_SETTINGS) == set(ENVIRONMENT) - INTERNAL - LOADED_BY_SERVE


@pytest.mark.parametrize(("variable", "value", "message"), [(k, *v) for k, v in BAD_SETTINGS.items()])
def test_a_bad_setting_is_refused_with_the_variable_and_what_is_accepted(variable, value, message):
    with pytest.raises(ConfigError) as caught:
        settings_from_env({variable: value})
    said = str(caught.value)
    assert said.startswith(f"{variable} has an invalid value (") and message in said
    assert value not in said.replace(variable, "") and "\n" not in said  # one line, never the value


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("1", True), ("YES", True), ("false", False), ("0", False), ("no", False)],
)
def test_yes_no_settings_take_the_usual_words(value, expected):
    assert settings_from_env({"CLOSENESS_DECISION_LOG": value}) == {"DECISION_LOG": expected}


def test_test_mapping_overrides_environment(monkeypatch):
    monkeypatch.setenv("CLOSENESS_MAX_BODY_BYTES", "4000")
    assert create_app({"MAX_CONTENT_LENGTH": 2000}).config["MAX_CONTENT_LENGTH"] == 2000
    assert create_app().config["MAX_CONTENT_LENGTH"] == 4000


def test_resources_file_replaces_the_defaults(tmp_path, baseline):
    path = tmp_path / "resources.json"
    serves = [
        "suicide_risk_now",
        "partner_safety_now",
        "suicide_risk",
        "partner_safety",
        "partner_control",
        "self_harm",
        "suicide_history",
        "declined:partner",
        "declined:suicide",
        "declined:self_harm",
        "answer:partner_harmed_me",  # a sexual violence service, as the defaults have
        "rebuild",
        "professional_help",
        "consider_walking_away",
    ]
    own = [
        {
            "name": "Riverside Clinic on-call",
            "description": "Call us any time.",
            "phone": "+1 555 0100",
            "hours": "Day and night",
            "checked": "2026-11-30",
            "for": serves,
        }
    ]
    path.write_text(json.dumps(own))
    app = create_app({"TESTING": True, "RESOURCES_FILE": str(path)})
    client = app.test_client()
    body = client.post("/v1/assessments", json={**baseline, "afraid_of_partner": True}).get_json()
    assert body["resources"] == own
    assert client.get("/readyz").get_json()["resources"] == "configured"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[{"name": "x"}]', "description"),
        ("{not json", "Not valid JSON"),
        ('[{"name": "x", "description": "y", "url": "nope", "for": ["rebuild"]}]', "url"),
        ('[{"name": "x", "description": "y"}]', "for"),
        ('[{"name": "x", "description": "y", "for": ["sadness"]}]', "'sadness', which is unknown"),
        ('[{"name": "x", "description": "y", "for": ["rebuild"]}]', "nothing serves .*suicide_risk_now"),
        ('[{"name": "x", "description": "y", "for": ["rebuild"], "checked": "yesterday"}]', "YYYY-MM-DD"),
    ],
    ids=["missing_field", "malformed", "bad_url", "no_for", "unknown_use", "concern_unserved", "bad_date"],
)
def test_broken_resources_file_is_refused(tmp_path, rulebook, content, message):
    path = tmp_path / "resources.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_resources(path, rulebook.concerns, rulebook.resources)


def test_missing_resources_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="No such file"):
        load_resources(tmp_path / "absent.json")


def test_one_settings_object_covers_serving_too():
    from service.ops.settings import settings

    configured = settings(
        {"CLOSENESS_WORKERS": "3", "CLOSENESS_HOST": "0.0.0.0", "CLOSENESS_RULES_SOURCE": "/r"}
    )
    assert (configured["WORKERS"], configured["HOST"], configured["RULES_SOURCE"]) == (3, "0.0.0.0", "/r")
    assert configured["WORKER_CLASS"] == "sync" and configured["MAX_REQUESTS"] == 200_000


def test_the_database_url_and_its_old_name_may_not_disagree():
    same = settings_from_env(
        {"CLOSENESS_DATABASE_URL": "sqlite:////a.db", "CLOSENESS_DECISION_LOG_URL": "sqlite:////a.db"}
    )
    assert same["DATABASE_URL"] == "sqlite:////a.db"
    assert (
        settings_from_env({"CLOSENESS_DECISION_LOG_URL": "sqlite:////old.db"})["DATABASE_URL"]
        == "sqlite:////old.db"
    )
    with pytest.raises(ConfigError, match="name different databases"):
        settings_from_env(
            {"CLOSENESS_DATABASE_URL": "sqlite:////a.db", "CLOSENESS_DECISION_LOG_URL": "sqlite:////b.db"}
        )


def test_a_data_key_ring_takes_several_keys_and_never_echoes_one():
    from service.core.sealing import new_key

    ring = f"{new_key()}, {new_key()}"
    assert settings_from_env({"CLOSENESS_DATA_KEY": ring})["DATA_KEY"] == ring
    bad = new_key()[:-4]
    with pytest.raises(ConfigError) as refused:
        settings_from_env({"CLOSENESS_DATA_KEY": f"{new_key()},{bad}"})
    assert "key 2" in str(refused.value) and bad not in str(refused.value)
