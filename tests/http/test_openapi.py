"""The OpenAPI document: generated from the schemas, complete, and honoured by the app (schemathesis)."""

import atexit
import shutil
import tempfile

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
)

from service import create_app
from service.core.sealing import new_key

# Couple mode on (a key and a database of its own), so its routes are tried like the rest.
_database = tempfile.mkdtemp(prefix="closeness-openapi-")
atexit.register(shutil.rmtree, _database, True)
schema = schemathesis.openapi.from_wsgi(
    "/openapi.json",
    create_app({"TESTING": True, "DATA_KEY": new_key(), "DATABASE_URL": f"sqlite:///{_database}/c.sqlite3"}),
)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_honours_its_openapi_document(case):
    # A QuestionnaireResponse is only outlined in OpenAPI (its real rules are the Questionnaire's), so a
    # body that fits the outline may still be refused; every other check applies to it as to all.
    excluded = [positive_data_acceptance] if case.media_type == "application/fhir+json" else []
    if case.path == "/v1/assessments":
        # An urgent safety answer decides even when the rest breaks the schema (safety first), so a
        # schema-violating body is rightly answered 200 then; tests/test_decision.py holds the 422s.
        excluded.append(negative_data_rejection)
    if case.path.startswith(("/v1/couples", "/couples")):
        # Every code, token and pair id it can make up names nothing: a 404 (or 401) by design. A
        # missing invite or token is a 404 too, like a wrong one (shared/spec/couple-mode.md).
        excluded += [positive_data_acceptance, missing_required_header]
    case.call_and_validate(excluded_checks=excluded)


def test_every_route_declares_its_operation_beside_its_view(app):
    from flask import Flask

    from service.api import openapi

    assert openapi.undocumented(app) == []
    bare = Flask("probe")
    bare.add_url_rule("/v1/thing", "thing", lambda: "")
    assert openapi.undocumented(bare) == ["/v1/thing"]  # a view without @openapi.documented is caught


def test_error_responses_come_from_the_one_catalogue(app):
    from service.api.errors import CATALOGUE

    document = app.extensions["closeness"].openapi
    for name, kind in CATALOGUE.items():
        assert document["components"]["responses"][name]["description"] == kind.description
    response = app.test_client().get("/nowhere")
    assert response.get_json()["message"] == CATALOGUE["NotFound"].message


def test_the_fhir_outline_refuses_what_the_server_refuses(client):
    import jsonschema

    document = client.get("/openapi.json").get_json()
    outline = {
        **document["components"]["schemas"]["QuestionnaireResponse"],
        "components": document["components"],
    }
    validator = jsonschema.Draft202012Validator(outline)
    headers = {"Content-Type": "application/fhir+json"}
    base = {"resourceType": "QuestionnaireResponse", "status": "completed"}
    for refused in (
        {**base, "item": [{"text": "no linkId"}]},
        {**base, "status": ""},
        {"resourceType": base["resourceType"]},
    ):
        assert not validator.is_valid(refused), refused
        assert client.post("/v1/assessments", json=refused, headers=headers).status_code == 422
    assert validator.is_valid({**base, "item": [{"linkId": "afraid_of_partner", "answer": [{}]}]})


def test_the_operation_says_an_urgent_concern_decides_whatever_else_is_sent(client):
    operation = client.get("/openapi.json").get_json()["paths"]["/v1/assessments"]["post"]
    assert (
        "urgent safety concern decides" in operation["description"] and "warnings" in operation["description"]
    )
