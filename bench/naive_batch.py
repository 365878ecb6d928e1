"""The JSON Lines job of `closeness evaluate FILE.jsonl`, done by a naive durable_rules integration.

`python -m bench.naive_batch FILE.jsonl`: every line parsed strictly and validated with the project's
own reading (service.core.json_input.parse_json, service.core.intake.read_answers, as `closeness
evaluate` does), valid answers decided by bench/naive_peer.py (durable.lang rules, the stock Host,
one assert per answer set), one JSON line written per answer set. Invalid answers get their errors,
or the urgent result when a safety answer decides alone. For bench/batch_bench.py only.
"""

import sys

import orjson

from bench.naive_peer import decide
from service.core.intake import read_answers
from service.core.json_input import JsonInputError, parse_json
from tests.policy import safety_screen, urgent_decision


def line_result(line: str) -> dict:
    if not line.strip():
        return {"errors": {"_line": ["This line is empty; expected one JSON object of answers."]}}
    try:
        raw = parse_json(line)
    except JsonInputError as error:
        return {"errors": {"_json": [str(error)]}}
    intake = read_answers(raw)
    if intake.valid:
        return decide(intake.answers)
    safety = safety_screen(raw if isinstance(raw, dict) else {})
    if safety["urgent"]:  # an urgent concern decides even when other answers are wrong
        return urgent_decision(safety)
    return {"errors": intake.errors}


def main(path: str) -> int:
    out = open(sys.stdout.fileno(), "wb", buffering=1 << 16, closefd=False)  # noqa: SIM115
    all_valid = True
    with open(path, encoding="utf-8-sig") as source:
        for line in source:
            result = line_result(line.rstrip("\n"))
            all_valid &= "errors" not in result
            out.write(orjson.dumps(result) + b"\n")
    out.flush()
    return 0 if all_valid else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
