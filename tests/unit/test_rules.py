"""GET /v1/rules and /v1/rules/<id>: the loaded rulebook as data."""


def test_rules_list_every_entry_with_citation_and_condition(client, rulebook):
    body = client.get("/v1/rules").get_json()
    assert body["ruleset"] == {"version": rulebook.version, "digest": rulebook.digest}
    assert [r["id"] for r in body["rules"]] == list(rulebook.entries)
    walk = next(r for r in body["rules"] if r["id"] == "walk-away-neither-willing")
    assert walk["cites"] == {"id": "am-i-willing-to-rebuild", "title": "Am I Willing to Rebuild?"}
    assert walk["definition"]["when"]["all"][0] == {"answer": "self_willing", "is": "no"}
    assert walk["file"] == "walk-away/walk-away-neither-willing.yaml"


def test_one_rule_with_ruleset(client, rulebook):
    body = client.get("/v1/rules/consider-walking-away").get_json()
    assert body["kind"] == "outcome" and body["definition"]["priority"] == 2
    assert body["ruleset"]["digest"] == rulebook.digest


def test_unknown_rule_is_404(client):
    response = client.get("/v1/rules/no-such-rule")
    assert response.status_code == 404 and "GET /v1/rules" in response.get_json()["message"]
