"""Resident memory over 200,000 evaluations in one process: it must stay flat (within 5%).

The resolver's caches (at most 1,024 level parts and 2,048 reasons, a few MiB) fill during the first
tens of thousands of unique random cases; flatness is measured after that, and the early growth is
shown too.
"""

import json
import os
import random

from bench.common import machine, rss_kib, save
from service.core.decision import Evaluator
from service.core.rulebook import load_rulebook
from tests.answers import random_answers

EVALUATIONS, WARMUP, SAMPLE_EVERY = 200_000, 50_000, 10_000


def main() -> dict:
    evaluator = Evaluator(load_rulebook())
    rng = random.Random(200_000)
    samples = {}
    for done in range(1, EVALUATIONS + 1):
        evaluator.decide(random_answers(rng))
        if done % SAMPLE_EVERY == 0:
            samples[done] = rss_kib(os.getpid())
    after_warmup, last = samples[WARMUP], samples[EVALUATIONS]
    result = {
        "machine": machine(),
        "evaluations": EVALUATIONS,
        "rss_kib_by_evaluations": samples,
        "warmup_evaluations": WARMUP,
        "growth_after_warmup": (last - after_warmup) / after_warmup,
        "growth_from_first_sample": (last - samples[SAMPLE_EVERY]) / samples[SAMPLE_EVERY],
        "resolver_cache_entries": type(evaluator.resolver).levels_part.cache_info().currsize,
    }
    save("memory", result)
    return result


def table(result: dict) -> str:
    samples = result["rss_kib_by_evaluations"]
    points = ", ".join(f"{int(n) // 1000}k: {kib / 1024:.1f} MiB" for n, kib in samples.items())
    return (
        f"RSS over {result['evaluations']:,} evaluations: {points}  \n"
        f"growth from {result['warmup_evaluations'] // 1000}k to 200k: "
        f"**{result['growth_after_warmup'] * 100:+.2f}%** "
        f"(from 10k: {result['growth_from_first_sample'] * 100:+.2f}%, "
        f"while the resolver cache filled to {result['resolver_cache_entries']:,} entries)"
    )


if __name__ == "__main__":
    outcome = main()
    print(table(outcome))
    print(json.dumps({"growth_after_warmup": outcome["growth_after_warmup"]}))
