"""A new safety concern needs YAML only: written into a copy of the rulebook, it reaches the result,
the clinician's card and the web form's support panel, with no Python change."""

import json
import re
import shutil
from pathlib import Path

import pytest

from service import create_app
from service.core.rulebook import default_rules_dir, load_rulebook
from service.core.rulecheck import RulebookError
from tests.http.test_cds_hooks import SERVICE, _request

CONCERN = """\
kind: rule
id: concern-control-and-put-downs
title: Someone to talk to about control
explanation: >-
  Thank you for telling us. Being checked on and put down can wear you down. An abuse helpline can
  listen in confidence.
section: seek-professional-help-if-needed
basis: safety-guidance
when:
  all:
    - {answer: partner_controls, is: true}
    - {answer: partner_insults, is: true}
effect:
  kind: concern
  concern: control_and_put_downs
  urgent: false
  outcome: help-for-you
  unless: [partner_safety_now, partner_safety]
  clinician:
    words: both control and repeated put-downs from a partner
    acuity: next_contact
    screened: control with put-downs
    follow_up: "Next contact: ask about coercive control with a structured tool."
    basis:
      partner_controls: checked on or controlled
      partner_insults: repeatedly put down
  form_topic: partner
"""
CASES = """\
- name: fires_with_both
  answers: {partner_controls: true, partner_insults: true, unsafe_now: false}
  fires: true
- name: silent_with_one
  answers: {partner_controls: true, unsafe_now: false}
  fires: false
"""
RESOURCE = """\
  - name: A coercive control line
    description: People who know about control in relationships listen, in confidence.
    url: https://control-line.example
    for: [control_and_put_downs]
"""


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(default_rules_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "safety" / "concern-control-and-put-downs.yaml").write_text(CONCERN)
    (folder / "safety" / "concern-control-and-put-downs.cases.yaml").write_text(CASES)
    header = (folder / "rulebook.yaml").read_text()
    header = header.replace("  - suicide_history\n", "  - suicide_history\n  - control_and_put_downs\n", 1)
    header = header.replace("resources:\n", "resources:\n" + RESOURCE, 1)
    (folder / "rulebook.yaml").write_text(header)
    return folder


@pytest.fixture(scope="module")
def client(rules):
    return create_app({"TESTING": True, "RULES_DIR": str(rules)}).test_client()


def test_the_new_concern_is_in_the_result(client, baseline):
    answers = {**baseline, "partner_controls": True, "partner_insults": True, "unsafe_now": False}
    result = client.post("/v1/assessments", json=answers).get_json()
    assert result["safety"]["noted"] == ["partner_control", "control_and_put_downs"]
    assert "concern-control-and-put-downs" in [reason["rule"] for reason in result["reasons"]]
    assert "A coercive control line" in [resource["name"] for resource in result["resources"]]
    calm = client.post(
        "/v1/assessments", json={**baseline, "partner_controls": True, "unsafe_now": False}
    ).get_json()
    assert calm["safety"]["noted"] == ["partner_control"]


def test_the_card_uses_the_concern_words_from_its_rule_file(client, baseline):
    answers = {**baseline, "partner_controls": True, "partner_insults": True, "unsafe_now": False}
    card = client.post(SERVICE, json=_request(client, answers)).get_json()["cards"][0]
    assert (
        "- Noted: both control and repeated put-downs from a partner (`control_and_put_downs`"
        in card["detail"]
    )
    assert "checked on or controlled: yes; repeatedly put down: yes" in card["detail"]
    assert "- Next contact: ask about coercive control with a structured tool." in card["detail"]
    assert "control with put-downs" in card["summary"] and len(card["summary"]) <= 140
    assert card["indicator"] == "warning"


def test_the_form_shows_its_support_on_a_yes_to_its_topic(client):
    html = client.get("/form").get_data(as_text=True)
    config = json.loads(
        re.search(r'<script type="application/json" id="closeness-config">(.*?)</script>', html).group(1)
    )
    partner = [resource["name"] for resource in config["support"]["resources"]["partner"]]
    assert partner[:2] == ["Emergency services", "An abuse helpline"]
    assert "A coercive control line" in partner


def test_a_concern_without_clinician_words_is_refused(rules, tmp_path):
    broken = tmp_path / "rules"
    shutil.copytree(rules, broken)
    path = broken / "safety" / "concern-control-and-put-downs.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("  clinician:")] + "  form_topic: partner\n")
    with pytest.raises(RulebookError, match="effect.clinician: a concern effect needs 'clinician'"):
        load_rulebook(broken)
    path.write_text(text.replace("form_topic: partner", "form_topic: money"))
    with pytest.raises(RulebookError, match="'money' is not a topic of the safety questions"):
        load_rulebook(broken)
    path.write_text(text.replace("      partner_insults: repeatedly", "      partner_insult: repeatedly"))
    with pytest.raises(RulebookError, match="'partner_insult' is not a safety question"):
        load_rulebook(broken)
    path.write_text(text.replace("    screened: control with put-downs\n", ""))
    with pytest.raises(RulebookError, match="a noted concern needs 'screened'"):
        load_rulebook(broken)
