"""The reasons' cache: keyed by what `because` reads, so a cached reason is always this person's own."""

import random

from schemas.model import ConcernEffect
from schemas.questionnaire import load_questionnaire
from service.core.decision import Evaluator
from service.core.exceptions import AnswersInvalid
from service.core.explain import because, because_key
from tests.answers import random_answers


def test_a_cached_reason_reads_back_what_because_finds_in_these_answers(rulebook):
    evaluator = Evaluator(rulebook)  # its own, empty caches
    resolver = evaluator.resolver
    rng = random.Random(11)
    checked, full_keys = 0, set()
    for _ in range(4000):
        try:
            assessment = evaluator.decide(random_answers(rng))
        except AnswersInvalid:
            continue
        answers = assessment.answers
        for rule_id in assessment.fired:
            rule = resolver.rules.get(rule_id)
            if rule is None or isinstance(rule.effect, ConcernEffect):
                continue
            expected = [
                (found["question"], tuple(a) if isinstance(a := found["answer"], list) else a, found["text"])
                for found in because(rule, answers, resolver.rulebook.entries)
            ]
            got = resolver.reason(rule, answers).because
            assert [(b.question, b.answer, b.text) for b in got] == expected, (rule_id, answers)
            full_keys.add((rule_id, *[str(answers.get(q)) for q, _ in resolver.reads[rule_id]]))
            checked += 1
    assert checked > 5000
    # A multiple choice counts by the options its rule names: far fewer keys than whole answers, so
    # every key of these answer sets fits in the cache, and most reasons came from it.
    assert len(resolver._reason_cache) < min(2048, len(full_keys) / 2)


def test_the_key_counts_only_the_options_a_rule_asks_about(evaluator):
    resolver = evaluator.resolver
    rule_id = "step-bring-back-closeness"
    ((question, named),) = resolver.reads[rule_id]
    assert question == "missing_needs" and named
    unrelated = [v for v in load_questionnaire().question(question).values if v not in named]
    assert unrelated, "the rule names every option of its question"
    reads, chosen = resolver.reads[rule_id], sorted(named)[:1]
    assert because_key(rule_id, reads, {question: chosen}) == because_key(
        rule_id, reads, {question: [*chosen, unrelated[0]]}
    )
    assert because_key(rule_id, reads, {question: chosen}) != because_key(rule_id, reads, {question: []})
