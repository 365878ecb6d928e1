"""The form in real headless Chromium (Debian's, driven by Playwright) against a real gunicorn."""

import functools
import http.server
import json
import os
import threading
from pathlib import Path

import pytest

from tests.live import LiveServer, free_port

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"
HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Practice intake</title></head>
<body><h1>Riverside practice intake</h1>
<script src="{service}/form/embed.js"></script>
<script>
document.addEventListener("closeness:result", function (e) {{ window.closenessResult = e.detail; }});
</script>
</body></html>"""


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
    env = {"CLOSENESS_FRAME_ANCESTORS": f"http://127.0.0.1:{hosts.allowed_port}"}
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


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


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
    for q in questions:
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


def test_rebuild_by_keyboard_only(site, page, baseline):
    server, _ = site
    page.goto(server.url + "/form")
    page.wait_for_selector("button[type=submit]")
    _shot(page, "form-desktop")
    answers = {**baseline, "missing_needs": ["quality_time"], "partner_willing": "not_discussed"}
    _fill_by_keyboard(page, _questions(server.url), answers)
    result = _result(page)
    assert result.get_attribute("data-recommendation") == "rebuild"
    assert "Rebuild closeness together" in result.inner_text()
    assert "Make real time for each other" in result.inner_text()
    _shot(page, "result-rebuild")


def test_walk_away_on_a_phone(site, page, baseline):
    server, _ = site
    page.goto(server.url + "/form")
    page.wait_for_selector("button[type=submit]")
    _shot(page, "form-phone")
    _fill_by_mouse(page, _questions(server.url), {**baseline, "self_willing": "no", "partner_willing": "no"})
    page.click("button[type=submit]")
    result = _result(page)
    assert result.get_attribute("data-recommendation") == "consider_walking_away"
    assert "Steps you can take" not in result.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    _shot(page, "result-walk-away-phone")


def test_urgent_result_shows_the_safety_panel_first(site, page, baseline):
    server, _ = site
    page.goto(server.url + "/form")
    page.wait_for_selector("button[type=submit]")
    _fill_by_mouse(page, _questions(server.url), {**baseline, "afraid_of_partner": True})
    page.click("button[type=submit]")
    _result(page)
    safety, recommendation = page.locator("#safety"), page.locator(".recommendation")
    assert safety.is_visible() and "Emergency services" in safety.inner_text()
    assert safety.bounding_box()["y"] < recommendation.bounding_box()["y"]
    _shot(page, "result-urgent")


def test_missing_answers_are_marked_next_to_their_questions(site, page):
    server, _ = site
    page.goto(server.url + "/form")
    page.wait_for_selector("button[type=submit]")
    page.click("button[type=submit]")
    assert page.locator("#error-ready_to_share").inner_text() == "Please choose an answer."
    assert page.locator("#q-afraid_of_partner").get_attribute("aria-invalid") == "true"
    assert page.locator("#error-signs").inner_text() == ""  # optional
    assert page.evaluate("document.activeElement.name") == "ready_to_share"
    _shot(page, "form-missing-answers")


def test_server_messages_are_shown_next_to_their_questions(site, page, baseline):
    server, _ = site
    page.goto(server.url + "/form")
    page.wait_for_selector("button[type=submit]")
    _fill_by_mouse(page, _questions(server.url), baseline)
    page.evaluate("document.querySelector(\"input[name='ready_to_share']:checked\").value = '9'")
    page.click("button[type=submit]")
    page.wait_for_selector("#error-ready_to_share:not(:empty)")
    assert page.locator("#error-ready_to_share").inner_text() == "Choose a whole number from 1 to 5."


def test_allowed_page_embeds_the_form_and_receives_the_result(site, page, baseline):
    server, hosts = site
    page.goto(f"http://127.0.0.1:{hosts.allowed_port}/index.html")
    frame = page.frame_locator("iframe")
    frame.locator("button[type=submit]").wait_for()
    height = "parseInt(document.querySelector('iframe').style.height || '0')"
    page.wait_for_function(f"{height} > 2000")  # grown to the whole form: no scrollbar inside
    form_height = page.evaluate(height)
    _fill_by_mouse(frame, _questions(server.url), {**baseline, "same_problems_keep_returning": True})
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
