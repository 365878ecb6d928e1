"""The form in real headless Chromium (Debian's, driven by Playwright) against a real gunicorn."""

import functools
import http.server
import json
import os
import threading
from pathlib import Path

import pytest

from tests.servers import LiveServer, free_port

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Practice intake</title></head>
<body><h1>Riverside practice intake</h1>
<script src="{service}/form/embed.js"></script>
<script>
document.addEventListener("closeness:result", function (e) {{ window.closenessResult = e.detail; }});
document.addEventListener("closeness:exit", function () {{ window.name = "exit-event"; }});
</script>
</body></html>"""
EXIT_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Weather</title></head>
<body><h1>Weather today</h1></body></html>"""


def _need_browser():
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package"
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} (Debian package chromium)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need {missing}; .ci/run installs it")
        pytest.skip(f"browser tests need {missing}")


class _HostPages:
    """Two embedding pages on their own loopback ports: one allowed to frame the form, one not."""

    def __init__(self, root: Path):
        self.allowed_port, self.other_port = free_port(), free_port()
        self.root, self.servers = root, []

    def start(self, service_url: str):
        (self.root / "index.html").write_text(HOST_PAGE.format(service=service_url))
        (self.root / "exit.html").write_text(EXIT_PAGE)
        handler = functools.partial(_QuietHandler, directory=str(self.root))
        for port in (self.allowed_port, self.other_port):
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self.servers.append(server)

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    _need_browser()
    hosts = _HostPages(tmp_path_factory.mktemp("hosts"))
    env = {
        "CLOSENESS_FRAME_ANCESTORS": f"http://127.0.0.1:{hosts.allowed_port}",
        "CLOSENESS_QUICK_EXIT_URL": f"http://127.0.0.1:{hosts.other_port}/exit.html",
    }
    server = LiveServer(tmp_path_factory.mktemp("server") / "gunicorn.log", env=env)
    hosts.start(server.url)
    try:
        yield server, hosts
    finally:
        hosts.stop()
        server.stop()


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; every request it makes is recorded and must stay on 127.0.0.1."""
    phone = "phone" in request.node.name
    context = browser.new_context(
        viewport={"width": 360, "height": 780} if phone else {"width": 1280, "height": 900}
    )
    urls = []
    context.on("request", lambda req: urls.append(req.url))
    new_page = context.new_page()
    yield new_page
    context.close()
    outside = [url for url in urls if not url.startswith(("http://127.0.0.1:", "data:"))]
    assert urls and not outside, outside


def _shot(page, name, full_page=True):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


@functools.cache
def _questions(url):
    import urllib.request

    with urllib.request.urlopen(url + "/v1/questionnaire", timeout=10) as response:
        document = json.load(response)
    return [q for section in document["sections"] for q in section["questions"]]


def _fill_by_mouse(frame, questions, answers):
    for q in questions:
        value = answers.get(q["id"])
        values = value if isinstance(value, list) else [] if value is None else [value]
        for item in values:
            frame.locator(f"input[name='{q['id']}'][value='{json.dumps(item).strip(chr(34))}']").check()


def _fill_by_keyboard(page, questions, answers):
    """Tab through the form: Space picks, arrows move within a radio group, Enter submits."""
    keyboard = page.keyboard
    keyboard.press("Tab")  # the quick exit comes first
    assert page.evaluate("document.activeElement.id") == "quick-exit"
    for q in questions:
        if "follow_up_of" in q and not any(answers.get(t) in (True, "declined") for t in q["follow_up_of"]):
            continue  # hidden until a trigger's yes or "I'd rather not say"
        value = answers.get(q["id"])
        codes = [o["value"] for o in q["options"]]
        if q["type"] == "multi_choice":
            for code in codes:
                keyboard.press("Tab")
                if code in (value or []):
                    keyboard.press("Space")
            continue
        keyboard.press("Tab")  # into the group: its first option
        if value is None:
            continue
        keyboard.press("Space")
        for _ in range(codes.index(value)):
            keyboard.press("ArrowDown")
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    keyboard.press("Enter")


def _result(page):
    page.wait_for_selector("#result")
    return page.locator("#result")


def _open(page, url):
    page.goto(url)
    page.wait_for_selector("button[type=submit]")


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


AXE = Path(__file__).resolve().parents[2] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def axe_page(browser, request):
    """A page whose CSP is bypassed so that axe-core (npm) can be injected; phone-sized when asked."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"accessibility tests need {AXE}; make test installs it with npm")
        pytest.skip("accessibility tests need axe-core (make axe)")
    phone = "phone" in request.node.name
    context = browser.new_context(
        bypass_csp=True, viewport={"width": 360, "height": 780} if phone else {"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


def _serious_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help}))",
        WCAG,
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


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


def _phone_result(page, server, answers):
    _open(page, server.url + "/form")
    _fill_by_mouse(page, _questions(server.url), answers)
    page.click("button[type=submit]")
    result = _result(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    return result


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
