"""The OpenAPI document: generated from the schemas, complete, and honoured by the app (schemathesis)."""

import schemathesis
from hypothesis import HealthCheck, settings

from service import create_app

schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app({"TESTING": True}))


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_honours_its_openapi_document(case):
    case.call_and_validate()
