"""Couple mode in Chromium, on a 360 px phone and a desktop: a partner's invite form (its privacy note
first, the invite out of the address bar, withdrawal) and the practice's report (gated and not, each
partner's own result on its own page). Screenshots in test-output/screenshots/couple-*.png."""

import json

import pytest

from service.core.sealing import new_key
from tests.browser.conftest import AXE, _need_browser
from tests.browser.pages import _fill_by_mouse, _questions, _result, _serious_violations, _shot
from tests.servers import LiveServer

API_KEY = "practice-key-0042"
SAFETY_WORDS = (
    "afraid",
    "harm",
    "hurt",
    "unsafe",
    "suicid",
    "control",
    "insult",
    "declined",
    "rather not",
    "urgent",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A real gunicorn with couple mode on (its own key and SQLite database)."""
    _need_browser()
    folder = tmp_path_factory.mktemp("couples")
    env = {
        "CLOSENESS_DATA_KEY": new_key(),
        "CLOSENESS_DATABASE_URL": f"sqlite:///{folder / 'couples.sqlite3'}",
        "CLOSENESS_API_KEY": API_KEY,
        "CLOSENESS_PRACTICE_NAME": "Riverside Counseling",
    }
    server = LiveServer(folder / "gunicorn.log", env=env)
    try:
        yield server, None
    finally:
        server.stop()


def _call(server, method, path, body=None, headers=None):
    status, _, text = server.request(
        method,
        path,
        json.dumps(body) if body is not None else None,
        {"Content-Type": "application/json", **(headers or {})},
    )
    return status, (json.loads(text) if text else None)


def _pair(server, a=None, b=None):
    status, created = _call(server, "POST", "/v1/couples", {"label": "Room 3"}, {"X-API-Key": API_KEY})
    assert status == 201
    for role, answers in (("a", a), ("b", b)):
        if answers is not None:
            code = created["invites"][role]["code"]
            assert (
                _call(server, "POST", "/v1/couples/answers", answers, {"Authorization": f"Bearer {code}"})[0]
                == 200
            )
    return created


def _device(browser, device: str):
    """(viewport, context, page) for a 360 px phone or a desktop; axe-core may be injected (CSP bypassed)."""
    size = {"width": 360, "height": 780} if device == "phone" else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, bypass_csp=True)
    return size, context, context.new_page()


def _violations(page) -> list:
    if not AXE.exists():
        pytest.skip("accessibility tests need axe-core (make axe)")
    return _serious_violations(page)


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_invite_form_says_who_sees_what_before_any_question(site, browser, device, baseline):
    server, _ = site
    created = _pair(server)
    size, context, page = _device(browser, device)
    try:
        page.goto(server.url + "/form#invite=" + created["invites"]["a"]["code"])
        page.wait_for_selector("button[type=submit]")
        assert "#invite" not in page.url and created["invites"]["a"]["code"] not in page.evaluate(
            "location.href"
        )
        note = page.locator("#privacy-note")
        text = note.inner_text()
        assert "Your partner will not see your answers or your result" in text
        assert "whether you answered" in text and "Riverside Counseling" in text
        assert "without your consent" in text and "no one can see your screen" in text
        assert note.bounding_box()["y"] < page.locator("fieldset.question").first.bounding_box()["y"]
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        _shot(page, f"couple-invite-{device}", full_page=False)
        assert _violations(page) == []
        page.goto(server.url + "/form#invite=" + created["invites"]["a"]["code"])
        page.wait_for_selector("button[type=submit]")
        # Answer, see one's own result, then withdraw.
        _fill_by_mouse(page, _questions(server.url), baseline)
        page.click("button[type=submit]")
        _result(page)
        assert page.locator("[data-recommendation='rebuild']").count() == 1
        assert page.locator("button.again").count() == 0  # the invite is spent
        _shot(page, f"couple-partner-result-{device}")
        assert "Riverside Counseling" in page.locator(".sent-note").inner_text()
        assert not page.locator("button.withdraw").is_visible()  # folded away until asked for
        page.click("details.withdraw-panel summary")
        page.click("button.withdraw")
        assert "cannot be undone" in page.locator(".withdraw-status").inner_text()
        page.click("button.keep")  # changed their mind: nothing is erased
        assert page.locator("button.withdraw").inner_text() == "Withdraw my answers"
        page.click("button.withdraw")
        page.click("button.withdraw")
        page.wait_for_selector("text=Your answers are erased")
        assert page.locator("#result .resources li").count() >= 1  # support stays on the screen
        status, view = _call(server, "GET", f"/v1/couples/{created['id']}", headers={"X-API-Key": API_KEY})
        assert status == 200 and view["partners"]["a"]["answered"] is False
    finally:
        context.close()


def test_a_reload_says_to_ask_for_a_new_link_and_keeps_no_code(site, page):
    server, _ = site
    code = _pair(server)["invites"]["a"]["code"]
    page.goto(server.url + "/form#invite=" + code)
    page.wait_for_selector("#privacy-note")
    assert code not in page.evaluate("JSON.stringify(sessionStorage) + JSON.stringify(localStorage)")
    page.reload()
    page.wait_for_selector(".form-error")
    assert "ask your practice for a new link" in page.locator(".form-error").inner_text()
    assert page.locator("form").count() == 0  # never quietly the form for one person


def test_a_link_that_does_not_work_says_so_before_any_question(site, page, baseline):
    server, _ = site
    created = _pair(server, a=baseline)  # A's invite is spent
    page.goto(server.url + "/form#invite=" + created["invites"]["a"]["code"])
    page.wait_for_selector(".form-error")
    text = page.locator(".form-error").inner_text()
    assert "does not work any more" in text and "emergency number" in text
    assert page.locator("form").count() == 0


def test_an_opened_link_works_once(site, page):
    server, _ = site
    created = _pair(server)
    link = created["invites"]["b"]["code"]
    page.goto(server.url + "/form#invite=" + link)
    page.wait_for_selector("#privacy-note")
    assert "works once" in page.locator("#privacy-note").inner_text()
    code = {"Authorization": f"Bearer {link}"}
    assert _call(server, "POST", "/v1/couples/answers", {}, code)[0] == 404  # the link in history is dead


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_practice_report_side_by_side_and_each_partner_on_a_page(site, browser, device, baseline):
    server, _ = site
    a = {
        **baseline,
        "partner_willing": "not_discussed",
        "missing_needs": ["quality_time", "respect"],
        "feeling_down": True,
    }
    b = {**baseline, "missing_needs": ["quality_time"], "signs": ["push_pull"]}
    created = _pair(server, a=a, b=b)
    size, context, page = _device(browser, device)
    try:
        page.goto(created["report_url"])
        page.wait_for_selector("#joint-heading")
        assert "#token" not in page.url
        text = page.locator("main").inner_text()
        assert "Ready to rebuild together" in text and "Answers like these cannot show everything" in text
        assert "has not talked with their partner about whether they want to try" in text
        assert page.locator("table.compare").count() >= 4
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        _shot(page, f"couple-report-{device}")
        assert _violations(page) == []
        page.click("text=Partner B's own result")
        page.wait_for_selector("text=Partner B: own result")
        assert "#token" not in page.url
        own = page.locator("main").inner_text()
        assert "Back to the couple report" in own and "Partner A" not in own
        _shot(page, f"couple-report-partner-b-{device}")
        assert _violations(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_gated_report_shows_no_safety_word(site, browser, device, baseline):
    server, _ = site
    created = _pair(
        server,
        a={**baseline, "partner_controls": True, "unsafe_now": False},
        b={**baseline, "self_willing": "no"},
    )
    size, context, page = _device(browser, device)
    try:
        page.goto(created["report_url"])
        page.wait_for_selector("#joint-heading")
        text = page.locator("main").inner_text()
        assert "See each partner on their own first" in text
        for word in SAFETY_WORDS:
            assert word not in text.lower(), word
        assert page.locator("table.compare").count() == 0
        _shot(page, f"couple-report-gated-{device}")
        assert _violations(page) == []
        page.click("text=Partner A's own result")
        page.wait_for_selector("text=Partner A: own result")
        own = page.locator("main").inner_text()  # on A's own page, in the clinician words of its rule file
        assert "Noted: " in own and "partner_control" not in own
    finally:
        context.close()


def test_a_report_page_without_its_token_says_what_to_do(site, page):
    server, _ = site
    created = _pair(server)
    page.goto(server.url + f"/couples/{created['id']}/report")
    page.wait_for_selector(".form-error")
    assert "report link" in page.locator(".form-error").inner_text()
