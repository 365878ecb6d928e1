"""What the browser tests do with a page: screenshots, filling the form, reading the result."""

import functools
import json
from pathlib import Path

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


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


def _phone_result(page, server, answers):
    _open(page, server.url + "/form")
    _fill_by_mouse(page, _questions(server.url), answers)
    page.click("button[type=submit]")
    result = _result(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    return result


def _serious_violations(page) -> list:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    from tests.browser.conftest import AXE, WCAG

    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help}))",
        WCAG,
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]
