"""The OpenAPI document: generated from the schemas, complete, and honoured by the app (schemathesis)."""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from service import create_app

schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app({"TESTING": True}))


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
    case.call_and_validate(excluded_checks=excluded)
