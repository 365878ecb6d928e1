"""The form in real headless Chromium (Debian's, driven by Playwright) against a real gunicorn."""

from tests.browser.pages import _fill_by_keyboard, _fill_by_mouse, _open, _questions, _result, _shot


def test_rebuild_by_keyboard_only(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form")
    _shot(page, "form-desktop")
    answers = {**baseline, "missing_needs": ["quality_time"], "partner_willing": "not_discussed"}
    _fill_by_keyboard(page, _questions(server.url), answers)
    result = _result(page)
    assert result.get_attribute("data-recommendation") == "rebuild"
    text = result.inner_text()
    assert "You can work on feeling closer" in text and "Make time for each other" in text
    assert "You said you miss time together with full attention." in text
    assert "People who can help" in text  # resources on every result
    assert page.evaluate("document.activeElement.id") == "result-heading"
    _shot(page, "result-rebuild")
    page.click("button.again")
    page.wait_for_selector("button[type=submit]")
    assert page.evaluate("document.activeElement.name") == "afraid_of_partner"


def test_safety_comes_first_and_the_exit_is_first_in_tab_order(site, page):
    server, _ = site
    _open(page, server.url + "/form")
    order = page.evaluate("Array.from(document.querySelectorAll('fieldset.section')).map(f => f.id)")
    assert order[:3] == ["section-partner_safety", "section-how_you_have_been", "section-availability"]
    assert page.title() == "Questionnaire"  # neutral: nothing about relationships in the tab
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    intro = page.locator("#intro").inner_text()
    assert "not an emergency service" in intro and "cannot erase your browser history" in intro
    for q in _questions(server.url):
        if q["type"] == "safety":
            labels = page.locator(f"#q-{q['id']} label").all_inner_texts()
            assert labels == ["Yes", "No", "I'd rather not say"], q["id"]


def test_a_safety_yes_shows_support_at_once_and_follow_ups_only_when_needed(site, page):
    server, _ = site
    requests = []
    page.on("request", lambda req: requests.append(req.url))
    _open(page, server.url + "/form")
    before = len(requests)
    assert (
        page.locator("#q-unsafe_now").is_hidden()
        and page.locator("#support-partner_insults").inner_text() == ""
    )
    page.check("input[name='partner_insults'][value='true']")
    panel = page.locator("#support-partner_insults")
    assert panel.is_visible() and panel.get_attribute("role") == "status"
    assert "An abuse helpline" in panel.inner_text()
    assert page.locator("#q-unsafe_now").is_visible()
    page.check("input[name='partner_insults'][value='false']")
    assert panel.inner_text() == "" and page.locator("#q-unsafe_now").is_hidden()
    page.check("input[name='wished_dead'][value='declined']")
    # A declined trigger asks its follow-up too (v2.1), and shows the support everyone gets, at once.
    assert page.locator("#q-suicidal_thoughts_now").is_visible()
    assert page.locator("#support-wished_dead").inner_text().startswith("That is fine.")
    page.check("input[name='wished_dead'][value='false']")
    assert page.locator("#q-suicidal_thoughts_now").is_hidden()
    assert page.locator("#support-wished_dead").inner_text() == ""
    page.check("input[name='past_attempt'][value='true']")
    assert (
        page.locator("#q-attempt_recent").is_visible()
        and page.locator("#q-suicidal_thoughts_now").is_visible()
    )
    assert "crisis line" in page.locator("#support-past_attempt").inner_text()
    assert len(requests) == before  # no request: the support was in the page already
    _shot(page, "safety-yes-panel")


def test_safety_yes_panel_on_a_phone(site, page):
    server, _ = site
    _open(page, server.url + "/form")
    page.check("input[name='afraid_of_partner'][value='true']")
    page.locator("#support-afraid_of_partner").scroll_into_view_if_needed()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _shot(page, "safety-yes-panel-phone", full_page=False)


def test_safety_answers_alone_get_the_urgent_result(site, page):
    server, _ = site
    _open(page, server.url + "/form")
    page.check("input[name='partner_harmed_me'][value='true']")
    page.check("input[name='unsafe_now'][value='true']")
    page.click("button[type=submit]")
    result = _result(page)
    assert result.get_attribute("data-urgent") == "true"
    assert page.locator("#result-heading").inner_text() == "Your safety comes first right now"
    safety = page.locator("#safety")
    assert "Emergency services" in safety.inner_text() and "An abuse helpline" in safety.inner_text()
    assert safety.bounding_box()["y"] < page.locator("#result h2 >> nth=1").bounding_box()["y"]
    _shot(page, "result-urgent")


def test_urgent_result_on_a_phone(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form")
    _fill_by_mouse(page, _questions(server.url), {**baseline, "wished_dead": True})
    page.check("input[name='suicidal_thoughts_now'][value='false']")
    page.click("button[type=submit]")
    _result(page)
    assert page.locator("#result-heading").inner_text() == "Please talk to someone today"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _shot(page, "result-urgent-phone")


def test_hide_mode_never_hides_an_urgent_result(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form?result=hide")
    assert "Your answers go to your practice." in page.locator("#intro").inner_text()  # intake mode
    _fill_by_mouse(page, _questions(server.url), {**baseline, "afraid_of_partner": True, "unsafe_now": False})
    page.click("button[type=submit]")
    _result(page)
    assert page.locator("#result-heading").inner_text() == "Your safety matters most"
    assert "An abuse helpline" in page.locator("#safety").inner_text()
    page.click("button.again")
    page.wait_for_selector("button[type=submit]")
    _fill_by_mouse(page, _questions(server.url), baseline)
    page.click("button[type=submit]")
    _result(page)
    assert page.locator("#result-heading").inner_text() == "Thank you"  # not urgent: hidden as asked
    thanks = page.locator("#result").inner_text()
    assert "Your answers go to your practice." in thanks and "If you need help before then" in thanks
    assert "A counselor" in thanks  # where to turn before the practice reads them
    _shot(page, "result-hidden-thanks")


def test_walk_away_on_a_phone(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form")
    _shot(page, "form-phone", full_page=False)
    answers = {**baseline, "self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True}
    _fill_by_mouse(page, _questions(server.url), answers)
    page.click("button[type=submit]")
    result = _result(page)
    assert result.get_attribute("data-recommendation") == "consider_walking_away"
    text = result.inner_text()
    assert "Steps you can take" not in text and "Also worth thinking about" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    _shot(page, "result-walk-away-phone")


def test_noted_concern_result_shows_support_first(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form")
    answers = {**baseline, "partner_controls": True, "unsafe_now": False, "past_hurt_affects_me": True}
    _fill_by_mouse(page, _questions(server.url), answers)
    page.click("button[type=submit]")
    _result(page)
    support, recommendation = page.locator("#safety"), page.locator(".recommendation")
    assert "If your partner ever frightens, controls or hurts you" in support.inner_text()
    assert support.bounding_box()["y"] < recommendation.bounding_box()["y"]
    assert "Steps you can take" not in page.locator("#result").inner_text()
    _shot(page, "result-noted-concern")


def test_missing_answers_are_marked_next_to_their_questions(site, page):
    server, _ = site
    _open(page, server.url + "/form")
    page.click("button[type=submit]")
    assert page.locator("#error-ready_to_share").inner_text() == "Please choose an answer."
    assert page.locator("#q-afraid_of_partner").get_attribute("aria-invalid") == "true"
    assert page.locator("#error-signs").inner_text() == ""  # optional
    assert page.evaluate("document.activeElement.name") == "afraid_of_partner"
    _shot(page, "form-missing-answers")


def test_server_messages_are_shown_next_to_their_questions(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form")
    _fill_by_mouse(page, _questions(server.url), baseline)
    page.evaluate("document.querySelector(\"input[name='ready_to_share']:checked\").value = '9'")
    page.click("button[type=submit]")
    page.wait_for_selector("#error-ready_to_share:not(:empty)")
    assert page.locator("#error-ready_to_share").inner_text() == "Choose a whole number from 1 to 5."


def test_no_answers_in_the_url_or_in_storage(site, page, baseline):
    server, _ = site
    _open(page, server.url + "/form")
    assert page.locator("form[autocomplete='off']").count() == 1
    _fill_by_mouse(page, _questions(server.url), {**baseline, "self_harm": True})
    page.click("button[type=submit]")
    _result(page)
    assert page.url == server.url + "/form"
    stored = page.evaluate("[localStorage.length, sessionStorage.length, document.cookie]")
    assert stored == [0, 0, ""]
    assert page.evaluate("document.querySelector('meta[name=referrer]').content") == "no-referrer"


def test_quick_exit_replaces_the_page(site, page, baseline):
    server, hosts = site
    page.goto(f"http://127.0.0.1:{hosts.allowed_port}/index.html")  # a page to be "Back" to
    page.goto(server.url + "/form")
    page.wait_for_selector("button[type=submit]")
    page.check("input[name='afraid_of_partner'][value='true']")
    page.click("#quick-exit")
    page.wait_for_url(f"http://127.0.0.1:{hosts.other_port}/exit.html")
    _shot(page, "quick-exit")
    page.go_back()
    assert "/form" not in page.url  # Back does not return to the form


def test_quick_exit_when_embedded_leaves_the_host_page_too(site, page):
    server, hosts = site
    page.goto(f"http://127.0.0.1:{hosts.allowed_port}/index.html")
    frame = page.frame_locator("iframe")
    frame.locator("button[type=submit]").wait_for()
    frame.locator("#quick-exit").click()
    page.wait_for_url(f"http://127.0.0.1:{hosts.other_port}/exit.html")
    assert page.title() == "Weather"


def test_allowed_page_embeds_the_form_and_receives_the_result(site, page, baseline):
    server, hosts = site
    page.goto(f"http://127.0.0.1:{hosts.allowed_port}/index.html")
    frame = page.frame_locator("iframe")
    frame.locator("button[type=submit]").wait_for()
    height = "parseInt(document.querySelector('iframe').style.height || '0')"
    page.wait_for_function(f"{height} > 2000")  # grown to the whole form: no scrollbar inside
    form_height = page.evaluate(height)
    answers = {**baseline, "same_problems_keep_returning": True, "signs": ["resentment"]}
    _fill_by_mouse(frame, _questions(server.url), answers)
    frame.locator("button[type=submit]").click()
    page.wait_for_function("window.closenessResult !== undefined")
    assert page.evaluate("window.closenessResult.recommendation") == "professional_help"
    page.wait_for_function(f"{height} < {form_height}")  # and shrunk to the result
    _shot(page, "embedded")


def test_other_origin_is_refused_by_frame_ancestors(site, page):
    _, hosts = site
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"http://127.0.0.1:{hosts.other_port}/index.html")
    page.wait_for_timeout(1500)
    assert any("frame-ancestors" in message for message in messages), messages
    child = page.frames[1]
    assert child.query_selector("#closeness") is None
