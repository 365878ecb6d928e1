"""Policy v2.1, as people would see it on a 360 px phone, in Chromium (screenshots in test-output/)."""

from tests.browser.pages import _fill_by_mouse, _open, _phone_result, _questions, _result, _shot


def test_v21_a_controlled_person_who_wants_to_leave_on_a_phone(site, page, baseline):
    server, _ = site
    answers = {
        **baseline,
        "partner_controls": True,
        "partner_insults": True,
        "unsafe_now": False,
        "self_willing": "no",
        "partner_willing": "no",
        "partner_refuses_to_talk": True,
        "partner_always_blames": True,
        "partner_ignores_feelings": True,
    }
    result = _phone_result(page, server, answers)
    assert result.get_attribute("data-recommendation") == "consider_walking_away"
    assert page.locator("#result-heading").inner_text() == "If you decide to leave, plan it safely"
    summary = page.locator("#result p.summary").inner_text()
    assert summary.startswith("If you decide to leave, plan it first with an abuse helpline or advocate")
    support = page.locator("#safety")
    assert "If your partner ever frightens, controls or hurts you" in support.inner_text()
    assert "Steps you can take" not in result.inner_text()
    _shot(page, "v21-controlled-wants-to-leave-phone")


def test_v21_a_declined_harm_question_with_a_rebuild_result_on_a_phone(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form")
    page.check("input[name='partner_harmed_me'][value='declined']")
    assert page.locator("#q-unsafe_now").is_visible()  # a declined trigger asks its follow-up
    assert "A sexual violence service" in page.locator("#support-partner_harmed_me").inner_text()
    answers = {
        **baseline,
        "partner_harmed_me": "declined",
        "unsafe_now": False,
        "missing_needs": ["physical_closeness"],
    }
    result = _phone_result(page, server, answers)
    assert result.get_attribute("data-recommendation") == "rebuild"
    assert page.locator("#result-heading").inner_text() == "Start with support for you"
    text = result.inner_text()
    assert "Bring back small touches" not in text and "Talk a little every day" not in text  # no couple work
    support = page.locator("#safety").inner_text()
    assert "Support, if you ever need it" in support and "A sexual violence service" in support
    _shot(page, "v21-declined-harm-rebuild-phone")


def test_v21_suicide_risk_with_fear_of_a_partner_on_a_phone(site, page, baseline):
    server, _ = site
    answers = {
        **baseline,
        "wished_dead": True,
        "suicidal_thoughts_now": False,
        "afraid_of_partner": True,
        "unsafe_now": False,
    }
    result = _phone_result(page, server, answers)
    assert result.get_attribute("data-urgent") == "true"
    summary = page.locator("#safety p.summary").inner_text()
    first_two = " ".join(summary.split(". ")[:2])
    assert "crisis line" in first_two and "abuse helpline" in first_two  # both kinds of help at once
    safety = page.locator("#safety").inner_text()
    assert "A crisis line" in safety and "An abuse helpline" in safety
    _shot(page, "v21-suicide-risk-and-fear-phone")


def test_v21_an_explicit_right_now_on_a_phone_and_the_numbers_dial(site, page, baseline):
    server, _ = site
    answers = {**baseline, "suicidal_thoughts": True, "suicidal_thoughts_now": True}
    result = _phone_result(page, server, answers)
    assert page.locator("#result-heading").inner_text() == "Please get help right now"
    assert "just in case" not in result.inner_text().lower()
    dial = page.locator("#safety a.dial")
    assert dial.count() == 3 and [dial.nth(i).get_attribute("href") for i in range(3)] == [
        "tel:112",
        "tel:911",
        "tel:999",
    ]
    box = dial.first.bounding_box()
    assert box["height"] >= 24  # big enough to tap
    _shot(page, "v21-right-now-phone", full_page=False)


def test_hide_mode_shows_the_support_for_a_noted_concern_at_once(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form?result=hide")
    answers = {**baseline, "partner_controls": True, "unsafe_now": False, "self_harm": "declined"}
    _fill_by_mouse(page, _questions(server.url), answers)
    page.click("button[type=submit]")
    _result(page)
    assert page.locator("#result-heading").inner_text() == "Thank you"  # the relationship result is held back
    support = page.locator("#safety")
    assert "Support for you" in support.inner_text()
    assert "If your partner ever frightens, controls or hurts you" in support.inner_text()
    assert "If you hurt yourself, or want to" in support.inner_text()
    thanks = page.locator("#result").inner_text()
    assert "Your answers go to your practice." in thanks and "Why" not in thanks
    _shot(page, "result-hidden-thanks-noted")


def test_each_thing_you_said_is_shown_once_on_a_phone(site, page, baseline):
    server, _ = site
    answers = {
        **baseline,
        "partner_willing": "no",
        "self_willing": "no",
        "partner_refuses_to_talk": True,
        "partner_always_blames": True,
        "partner_ignores_feelings": True,
    }
    _phone_result(page, server, answers)
    said = page.locator("#result ul.because li").all_inner_texts()
    assert said and len(said) == len(set(said))
    assert "You said your partner always blames you or other people." in said


def test_what_the_suggestion_depends_on_on_a_phone(site, page, baseline):
    server, _ = site
    answers = {
        **baseline,
        "partner_willing": "no",
        "partner_always_blames": True,
        "attempts_keep_failing": True,
        "missing_needs": ["quality_time"],
    }
    result = _phone_result(page, server, answers)
    assert result.get_attribute("data-recommendation") == "consider_walking_away"
    depends = page.locator("#depends")
    assert depends.get_attribute("open") is None  # collapsed until opened
    depends.locator("summary").click()
    text = depends.inner_text()
    assert "What this suggestion depends on" in text and "not advice to answer in another way" in text
    assert (
        "If your partner wanted to work on it too, the suggestion would be: A counselor could help." in text
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    depends.scroll_into_view_if_needed()
    _shot(page, "would-change-open-phone", full_page=False)


def test_intake_mode_never_shows_what_the_suggestion_depends_on(site, page, baseline):
    server, _ = site
    requests = []
    page.on("request", lambda req: requests.append(req.url))
    _open(page, server.url + "/form?result=hide")
    _fill_by_mouse(page, _questions(server.url), {**baseline, "attempts_keep_failing": True})
    page.click("button[type=submit]")
    _result(page)
    assert page.locator("#depends").count() == 0
    assert not any("explain=" in url for url in requests)
