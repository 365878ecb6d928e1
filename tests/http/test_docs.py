"""GET /openapi.json and /docs (Swagger UI from local assets)."""

import re


def test_openapi_describes_every_route(app, client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "docs.get_asset"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


def test_openapi_answers_schema_matches_the_questionnaire(client, rulebook):
    from schemas.questionnaire import load_questionnaire

    answers = client.get("/openapi.json").get_json()["components"]["schemas"]["Answers"]
    questionnaire = load_questionnaire()
    assert list(answers["properties"]) == list(questionnaire.ids)
    assert set(answers["required"]) == {q.id for q in questionnaire.questions if q.required}
    assert answers["additionalProperties"] is False
    assert answers["properties"]["ready_to_share"] == {
        "description": questionnaire.question("ready_to_share").text,
        "type": "integer",
        "minimum": 1,
        "maximum": 5,
    }


def test_every_operation_documents_its_errors(client):
    document = client.get("/openapi.json").get_json()
    post = document["paths"]["/v1/assessments"]["post"]["responses"]
    assert {"200", "400", "413", "415", "422", "500"} <= set(post)
    assert document["components"]["responses"]["ValidationFailed"]["content"]["application/json"][
        "schema"
    ] == {"$ref": "#/components/schemas/Error"}


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls)
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for url in urls:
        with client.get(url) as asset:
            assert asset.status_code == 200, url


def test_docs_assets_are_limited_to_swagger_ui(client):
    with client.get("/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and asset.mimetype == "text/javascript"
    assert client.get("/docs/assets/index.html").status_code == 404
    assert client.get("/docs/assets/..%2F__init__.py").status_code == 404
