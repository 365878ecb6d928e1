"""Services are built once by create_app; serving reads them and never fills anything in."""

import dataclasses

import pytest

from service.api.services import Services


def test_create_app_builds_one_typed_services_object(app):
    built = app.extensions["closeness"]
    assert isinstance(built, Services)
    assert built.rulebook is built.evaluator.rulebook
    assert "<html" in built.report_html and built.rulebook.digest in built.report_html
    assert built.openapi["openapi"].startswith("3.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.report_html = ""


def test_serving_every_page_changes_no_service(app, client):
    before = dict(app.extensions)
    built = app.extensions["closeness"]
    snapshot = tuple(id(getattr(built, f.name)) for f in dataclasses.fields(built))
    paths = ("/rules", "/v1/rules", "/openapi.json", "/form", "/v1/questionnaire", "/readyz")
    for path in (*paths, "/fhir/Questionnaire/closeness-v2"):
        assert client.get(path).status_code < 500, path
    assert dict(app.extensions) == before
    assert tuple(id(getattr(built, f.name)) for f in dataclasses.fields(built)) == snapshot
    assert client.get("/rules").get_data(as_text=True) == built.report_html
