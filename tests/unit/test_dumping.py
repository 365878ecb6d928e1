"""The compiled dump (schemas/dumping.py) gives exactly what marshmallow's own dump of ResultSchema
gives: the documented shape is the one the API sends."""

import random
from dataclasses import fields, replace

import pytest

from schemas.contract import ResultSchema, dump_result
from schemas.dumping import compile_dump
from schemas.resources import ResourceSchema, dump_resources
from service.core.exceptions import AnswersInvalid
from service.core.result import Result
from tests.answers import garbled_answers

SCHEMA = ResultSchema()


def _results(evaluator):
    for entry in evaluator.rulebook.entries.values():
        for case in entry.cases:
            if entry.kind != "derived":
                yield evaluator.decide(case.answers)
    rng = random.Random(5)
    for _ in range(1500):
        try:
            yield evaluator.decide(garbled_answers(rng))
        except AnswersInvalid:
            continue


def test_the_compiled_dump_is_marshmallows_on_every_case_and_1500_generated(evaluator):
    kinds = {"urgent": 0, "warnings": 0, "because": 0, "would_change": 0, "decision_id": 0}
    for index, assessment in enumerate(_results(evaluator)):
        result = assessment.result
        if index % 3 == 0:
            result = replace(result, decision_id=f"{index:032x}")
        if index % 2 == 0:
            result = replace(result, would_change=evaluator.would_change(assessment))
        dumped = dump_result(result)
        assert dumped == SCHEMA.dump(result)
        kinds["urgent"] += result.urgent
        kinds["warnings"] += bool(result.warnings)
        kinds["because"] += any(reason.because for reason in result.reasons)
        kinds["would_change"] += bool(result.would_change)
        kinds["decision_id"] += "decision_id" in dumped
        assert ("would_change" in dumped) == (result.would_change is not None)
    assert all(kinds.values()), kinds  # every optional part was there at least once


def test_the_result_json_has_only_the_documented_keys(evaluator, baseline):
    dumped = dump_result(evaluator.decide(baseline).result)
    documented = {field.data_key or name for name, field in SCHEMA.dump_fields.items()}
    assert set(dumped) == documented - {"decision_id", "would_change"}
    internal = {f.name for f in fields(Result)} - set(SCHEMA.dump_fields)
    assert internal == {"level", "on_your_own"} and not internal & set(dumped)


def test_resources_dump_as_their_file_writes_them(rulebook):
    assert dump_resources(rulebook.resources) == ResourceSchema(many=True).dump(rulebook.resources)
    for dumped in dump_resources(rulebook.resources):
        assert None not in dumped.values() and "for" in dumped and "for_" not in dumped


def test_a_required_field_without_a_value_stays_and_an_optional_one_goes():
    from marshmallow import Schema
    from marshmallow import fields as mfields

    class Pair(Schema):
        a = mfields.String(required=True)
        b = mfields.String()

    class Obj:
        a = None
        b = None

    assert compile_dump(Pair())(Obj()) == {"a": None}


@pytest.mark.parametrize("bad", [{"name": "x"}, {"name": "x", "description": "y", "for": []}])
def test_a_resource_missing_what_it_needs_is_refused(bad):
    from marshmallow import ValidationError

    with pytest.raises(ValidationError):
        ResourceSchema().load(bad)
