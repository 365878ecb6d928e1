"""The benchmarks' newer pieces, in process and small: the bare Flask baseline answers JSON and has
nothing else, the naive durable_rules batch agrees with `closeness evaluate` line by line, and the
callgrind driver runs every path (natively, no valgrind) and its table renders."""

import json

import pytest

from bench import instructions, naive_batch
from bench.bare_app import PATH, app
from bench.common import unique_cases
from service.cli.evaluate import _one, load_evaluator


def test_bare_app_parses_json_and_answers_small_json():
    client = app.test_client()
    response = client.post(PATH, json={"a": 1, "b": [2]})
    assert response.status_code == 200 and response.json == {"status": "received", "fields": 2}
    assert client.post(PATH, data=b"{", content_type="application/json").status_code == 400
    assert [rule.rule for rule in app.url_map.iter_rules()] == [PATH]  # one route, no static files
    assert not app.before_request_funcs and not app.after_request_funcs  # no middleware


def test_naive_batch_agrees_with_closeness_evaluate():
    evaluator = load_evaluator(None)
    for answers in unique_cases(40, seed=3):
        line = json.dumps(answers)
        ours, valid = _one(evaluator, line)
        assert valid and naive_batch.line_result(line)["recommendation"] == ours["recommendation"]
    assert naive_batch.line_result('{"a": 1, "a": 2}') == {
        "errors": {"_json": ["An object repeats a key; each question may be answered only once."]}
    }
    assert "errors" in naive_batch.line_result('{"ready_to_share": 9}')
    assert naive_batch.line_result('{"afraid_of_partner": true, "unsafe_now": true}')["urgent"] is True


@pytest.mark.parametrize("path", list(instructions.PATHS))
def test_instructions_driver_runs_every_path(monkeypatch, path):
    monkeypatch.setattr(instructions, "WARMUP", 3)
    report = instructions._driver(path, 4, 4, "-")
    assert report["failures"] == 0 and report["count"] == 4
    decided = report["structure_cache_hits"] + report["structure_cache_misses"]
    assert decided == 0 if path == "bare_wsgi" else decided > 0  # the bare app decides nothing


def test_instructions_table():
    measurement = {
        "instructions_per_operation": dict.fromkeys(instructions.PATHS, 1000.0),
        "structure_cache": {path: {"hits": 1, "misses": 3} for path in instructions.PATHS},
    }
    result = {
        "valgrind": "valgrind-3.19.0",
        "setup": {"operations": 4, "warmup": 3, "paths": instructions.PATHS},
        "instructions_per_operation": measurement["instructions_per_operation"],
        "measurements": [measurement, measurement],
        "repeat_spread": dict.fromkeys(instructions.PATHS, 0.0),
    }
    table = instructions.table(result)
    assert "1,000" in table and "Spread over 2 measurements" in table
