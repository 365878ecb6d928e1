"""In-process cost per unique case: Closeness vs plain Python vs a naive durable_rules integration."""

import json
import subprocess
import sys
import time

from bench.common import interleaved_timings, machine, save, unique_cases
from bench.naive_peer import decide as naive_decide
from service.audit.impact import decision_of
from service.core.decision import Evaluator
from service.core.intake import read_answers
from service.core.rulebook import load_rulebook
from tests.policy import decide as policy_decide

CASES, ROUNDS = 4000, 7


def startup_seconds() -> float:
    """Fresh process: load and check the rulebook and compile the engine (imports excluded)."""
    code = (
        "import time; from service.core.rulebook import load_rulebook; "
        "from service.core.decision import Evaluator; "
        "t = time.perf_counter(); Evaluator(load_rulebook()); print(time.perf_counter() - t)"
    )
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    ]
    return sorted(runs)[1]


def main() -> dict:
    evaluator = Evaluator(load_rulebook())
    engine, resolver = evaluator.engine, evaluator.resolver
    cases = unique_cases(CASES, seed=int(time.time()))
    intakes = {id(answers): read_answers(answers) for answers in cases}

    def closeness_engine(answers):
        return engine.fired_rules(intakes[id(answers)].facts)

    def closeness_decide(answers):
        intake = intakes[id(answers)]
        return resolver.resolve(engine.fired_rules(intake.facts), intake)

    # Every variant must give the same answers before any is timed.
    for answers in cases:
        expected = policy_decide(answers)
        assert naive_decide(answers) == expected, answers
        assert decision_of(closeness_decide(answers)) == expected, answers

    resolver.levels_part.cache_clear()
    variants = {
        "plain_python_policy": policy_decide,
        "naive_durable_rules": naive_decide,
        "closeness_engine": closeness_engine,
        "closeness_decide": closeness_decide,
        "closeness_evaluate": evaluator.decide,
    }
    micros = interleaved_timings(variants, cases, ROUNDS)
    base = micros["plain_python_policy"]
    result = {
        "machine": machine(),
        "cases": CASES,
        "rounds": ROUNDS,
        "microseconds_per_case": micros,
        "ratio_to_plain_python": {name: value / base for name, value in micros.items()},
        "naive_over_closeness_decide": micros["naive_durable_rules"] / micros["closeness_decide"],
        "startup_seconds": startup_seconds(),
    }
    save("engine", result)
    return result


def table(result: dict) -> str:
    rows = ["| variant | µs per case | × plain Python |", "|---|---|---|"]
    for name, value in result["microseconds_per_case"].items():
        rows.append(f"| {name} | {value:.1f} | {result['ratio_to_plain_python'][name]:.1f} |")
    rows.append("")
    rows.append(f"naive durable_rules / closeness_decide: **{result['naive_over_closeness_decide']:.2f}×**  ")
    rows.append(f"startup (load, check, compile the rulebook): **{result['startup_seconds'] * 1000:.0f} ms**")
    return "\n".join(rows)


if __name__ == "__main__":
    outcome = main()
    print(table(outcome))
    print(json.dumps(outcome["ratio_to_plain_python"]))
