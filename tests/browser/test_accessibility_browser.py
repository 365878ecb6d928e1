"""Accessibility of the form, the results and the rulebook page: axe-core (WCAG 2.1 A and AA) in Chromium."""

import pytest

from tests.browser.pages import (
    _fill_by_mouse,
    _open,
    _questions,
    _result,
    _serious_violations,
    _shot,
)

STATES = {  # name -> (answers to give, whether to submit them)
    "blank_form": (None, False),
    "safety_yes_and_follow_ups": ({"afraid_of_partner": True, "past_attempt": True}, False),
    "missing_answers": (None, True),
    "result_rebuild": ({}, True),
    "result_walk_away": (
        {"self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True},
        True,
    ),
    "result_urgent": ({"partner_harmed_me": True, "unsafe_now": True}, True),
    "result_noted": ({"partner_insults": True, "unsafe_now": False, "wished_dead": "declined"}, True),
}


@pytest.mark.parametrize("state", list(STATES))
def test_no_serious_accessibility_violation(site, axe_page, baseline, state):
    server, _ = site
    changes, submit = STATES[state]
    _open(axe_page, server.url + "/form")
    if changes is not None:
        answers = {**baseline, **changes} if submit else changes
        _fill_by_mouse(axe_page, _questions(server.url), answers)
    if submit:
        axe_page.click("button[type=submit]")
        if changes is None:
            axe_page.wait_for_selector("#error-afraid_of_partner:not(:empty)")
        else:
            _result(axe_page)
    assert _serious_violations(axe_page) == []


def test_no_serious_accessibility_violation_on_a_phone_urgent_result(site, axe_page):
    server, _ = site
    _open(axe_page, server.url + "/form")
    axe_page.check("input[name='wished_dead'][value='true']")
    axe_page.click("button[type=submit]")
    _result(axe_page)
    assert _serious_violations(axe_page) == []


def test_the_accessibility_check_does_find_violations(site, axe_page):
    server, _ = site
    _open(axe_page, server.url + "/form")
    axe_page.evaluate("document.querySelector('input').removeAttribute('id')")  # a radio without its label
    axe_page.evaluate(
        "document.body.appendChild(Object.assign(document.createElement('input'), {type: 'text'}))"
    )
    assert any(v["id"] == "label" for v in _serious_violations(axe_page))


def test_a_refused_answer_set_with_a_safety_yes_shows_support_near_the_top(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form")
    answers = {k: v for k, v in baseline.items() if k != "time_to_listen"}
    _fill_by_mouse(page, _questions(server.url), {**answers, "self_harm": True})
    page.click("button[type=submit]")
    support = page.locator("#form-support")
    support.locator("li").first.wait_for()
    assert "If you hurt yourself, or want to" in support.inner_text()
    assert support.get_attribute("role") == "status" and page.locator("[id=form-support]").count() == 1
    assert support.bounding_box()["y"] < page.locator("#q-wished_dead").bounding_box()["y"]
    assert page.locator("#error-time_to_listen").inner_text() == "This question needs an answer."
    _shot(page, "refused-with-support")


def test_quick_exit_ignores_a_reply_that_arrives_after_it(site, page, baseline):
    server, hosts = site
    _open(page, server.url + "/form")
    _fill_by_mouse(page, _questions(server.url), baseline)
    page.route("**/v1/assessments", lambda route: (page.wait_for_timeout(800), route.continue_()))
    page.click("button[type=submit]")
    page.click("#quick-exit")
    page.wait_for_url(f"http://127.0.0.1:{hosts.other_port}/exit.html")
    assert page.locator("#result").count() == 0
    page.unroute_all(behavior="ignoreErrors")


def test_the_auditors_rulebook_page_is_accessible_on_a_desktop(site, axe_page):
    server, _ = site
    axe_page.goto(server.url + "/rules")
    assert _serious_violations(axe_page) == []


def test_the_auditors_rulebook_page_is_accessible_on_a_phone(site, axe_page):
    server, _ = site
    axe_page.goto(server.url + "/rules")
    assert _serious_violations(axe_page) == []
    assert axe_page.evaluate("document.documentElement.scrollWidth") <= 360  # the digest wraps
    _shot(axe_page, "rules-phone", full_page=False)


# Policy v2.1, as four people would see it on a 360 px phone (screenshots in test-output/).
