"""GET /form and /form/embed.js in-process: page, CSP, config, labels (the browser: test_form_browser)."""

import json
import re

from service import create_app
from service.api.form import LABELS_DIR, labels


def _config(response) -> dict:
    text = response.get_data(as_text=True)
    return json.loads(
        re.search(r'<script type="application/json" id="closeness-config">(.*?)</script>', text).group(1)
    )


def test_form_page_has_no_inline_script_and_a_strict_csp(client):
    response = client.get("/form")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all(
        'type="application/json"' in attrs or (attrs.strip().startswith("src=") and not body)
        for attrs, body in scripts
    )
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'self'" in csp
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from elsewhere


def test_frame_ancestors_and_parent_origin_come_from_the_allow_list():
    app = create_app({"TESTING": True, "FRAME_ANCESTORS": ["https://clinic.example"]})
    client = app.test_client()
    allowed = client.get("/form?parent=https://clinic.example")
    assert "frame-ancestors 'self' https://clinic.example" in allowed.headers["Content-Security-Policy"]
    assert _config(allowed)["parentOrigin"] == "https://clinic.example"
    assert _config(client.get("/form?parent=https://evil.example"))["parentOrigin"] is None


def test_result_can_be_hidden_by_query_or_setting():
    client = create_app({"TESTING": True}).test_client()
    assert _config(client.get("/form"))["hideResult"] is False
    assert _config(client.get("/form?result=hide"))["hideResult"] is True
    hidden = create_app({"TESTING": True, "FORM_HIDE_RESULT": True}).test_client()
    assert _config(hidden.get("/form"))["hideResult"] is True


def test_config_cannot_break_out_of_its_script_element(client):
    html = client.get("/form?parent=</script><script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_labels_are_one_file_per_language_with_every_key(client):
    english = labels("en")
    assert set(english["recommendation"]) == {"rebuild", "professional_help", "consider_walking_away"}
    for path in LABELS_DIR.glob("*.json"):
        assert set(json.loads(path.read_text())) == set(english), path.name
    assert _config(client.get("/form?lang=xx"))["labels"] == english  # unknown language: English


def test_embed_script_is_served(client):
    with client.get("/form/embed.js") as response:
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert b"postMessage" not in response.data  # the host page only listens
        assert b"event.origin !== origin" in response.data


def test_form_config_carries_the_practice_the_exit_and_support_by_topic():
    app = create_app(
        {
            "TESTING": True,
            "PRACTICE_NAME": "Riverside Counseling",
            "PRACTICE_RESPONSE_TIME": "within two working days",
            "QUICK_EXIT_URL": "https://news.example/",
        }
    )
    response = app.test_client().get("/form")
    config = _config(response)
    assert config["practice"] == {"name": "Riverside Counseling", "responseTime": "within two working days"}
    assert config["exitUrl"] == "https://news.example/"
    assert config["support"]["topics"]["unsafe_now"] == "partner"
    assert config["support"]["topics"]["suicidal_thoughts_now"] == "suicide"
    assert [r["name"] for r in config["support"]["resources"]["partner"]][:2] == [
        "Emergency services",
        "An abuse helpline",
    ]
    html = response.get_data(as_text=True)
    assert "<title>Questionnaire</title>" in html and "relationship" not in html.split("<body>")[0]
    assert 'id="quick-exit"' in html and html.index('id="quick-exit"') < html.index("<main")


def test_an_unknown_language_names_no_file_and_fills_no_cache(client):
    from service.api.form import _all_labels

    for lang in ("../../bench/results/engine", "/etc/passwd", "xx", "en/../en"):
        response = client.get(f"/form?lang={lang}")
        assert response.status_code == 200 and _config(response)["labels"]["lang"] == "en"
    assert set(_all_labels()) == {path.stem for path in LABELS_DIR.glob("*.json")}
