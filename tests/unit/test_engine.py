"""The durable_rules engine: one reused, always emptied state; correct under threads and after fork."""

import json
import os
import random
import shutil
import threading

import durable_rules_engine as rules_c
import pytest

from schemas.conditions import read_condition
from schemas.questionnaire import load_questionnaire
from service.core.conditions import ALWAYS, FACT_MARKER, to_durable
from service.core.engine import CATCH_ALL, RuleEngine, build_ruleset
from service.core.intake import read_answers
from service.core.rulebook import load_rulebook
from tests.answers import random_answers
from tests.policy import decide
from tests.results import assess

STATE_CAP = 1024


def _fnv1_32(text: str) -> int:
    """durable_rules' state key: FNV-1, 32 bits, of the sid's bytes (state.c, fnv1Hash32)."""
    value = 0x811C9DC5
    for byte in text.encode():
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def _probe_sids(engine: RuleEngine, count: int) -> list[str]:
    """Sids whose durable keys differ from each other and from the engine's own state's."""
    taken, sids = {_fnv1_32(engine._sid)}, []
    for n in range(count * 2):
        key = _fnv1_32(f"probe-{n}")
        if key not in taken:
            taken.add(key)
            sids.append(f"probe-{n}")
        if len(sids) == count:
            return sids
    raise AssertionError("too many colliding probe sids")


def _live_state_room(engine: RuleEngine) -> int:
    """How many new states fit before durable_rules' per-ruleset cap (1,024 when none are live)."""
    handle, created = engine._handle, []
    try:
        # Fixed sids with distinct keys: two sids with one key would share a state (see below),
        # and random ones collide about once in 10,000 probes.
        for sid in _probe_sids(engine, STATE_CAP + 1):
            # Matches only the always-rule; its action is taken so the state can be deleted safely.
            _, state = rules_c.assert_fact(handle, json.dumps({"sid": sid, "_fact": "answers"}))
            created.append(sid)
            engine._run_actions(handle, state, [])
    except MemoryError:
        pass
    finally:
        for sid in created:
            rules_c.delete_state(handle, sid)
    return len(created)


@pytest.fixture
def engine(rulebook):
    return RuleEngine(rulebook)


def _memory(engine: RuleEngine) -> list:
    return json.loads(rules_c.get_facts(engine._handle, engine._sid))


def test_5000_evaluations_use_one_state_and_leave_it_empty(engine, evaluator):
    rng = random.Random(5)
    cases = [facts_of(random_answers(rng)) for _ in range(200)]
    for i in range(5000):
        engine.fired_rules(cases[i % len(cases)])
        if i % 500 == 0:
            assert _memory(engine) == []
    assert _memory(engine) == [] and engine.states_retired == 0
    # Had even one more state been left, the 1,023rd new state would not fit.
    assert _live_state_room(engine) == STATE_CAP - 1


def test_durable_finds_a_state_by_a_32_bit_hash_of_its_sid_alone(engine):
    # Why Closeness keeps one live state per process and never takes a sid from outside: durable_rules
    # compares only the FNV-1 hash of a sid, so two sids with one hash share one working memory.
    first, second = "sid-809829", "sid-1000504"
    assert first != second and _fnv1_32(first) == _fnv1_32(second)
    _, state = rules_c.assert_fact(engine._handle, json.dumps({"sid": first, "id": "1", "_fact": "answers"}))
    engine._run_actions(engine._handle, state, [])
    try:
        assert [fact["id"] for fact in json.loads(rules_c.get_facts(engine._handle, second))] == ["1"]
    finally:
        rules_c.delete_state(engine._handle, first)
    with pytest.raises(rules_c.error, match="309"):
        rules_c.delete_state(engine._handle, second)  # already gone: it was the same state


def facts_of(raw) -> dict:
    """What the engine sees for these answers (follow-ups as whether they count as yes)."""
    return read_answers(raw).facts


def test_every_fact_property_has_its_own_durable_key():
    # durable_rules also finds a fact's properties by a 32-bit hash of the name alone: two question ids
    # with one key would let a condition on one read the other's answer.
    names = [*load_questionnaire().ids, "sid", "id", FACT_MARKER]
    assert len({_fnv1_32(name) for name in names}) == len(names)


def test_the_same_answers_twice_in_a_row_decide_the_same(engine, evaluator):
    # A fact left in memory would make durable_rules refuse the identical second one.
    rng = random.Random(9)
    for _ in range(50):
        answers = facts_of(random_answers(rng))
        assert engine.fired_rules(answers) == engine.fired_rules(answers) == engine.fired_rules(dict(answers))
    assert engine.states_retired == 0


def test_a_shared_state_reads_like_a_fresh_one(rulebook, evaluator):
    # Every evaluation on the one reused state fires what a brand-new state for that case fires.
    engine = RuleEngine(rulebook)
    rng = random.Random(11)
    for n in range(300):
        answers = facts_of(random_answers(rng))
        sid = f"fresh-{n}"
        fact = json.dumps({**answers, "sid": sid, "_fact": "answers"})
        _, state = rules_c.assert_fact(engine._handle, fact)
        fresh: list[str] = []
        engine._run_actions(engine._handle, state, fresh)
        rules_c.delete_state(engine._handle, sid)
        fresh = [rule for rule in dict.fromkeys(fresh) if rule != CATCH_ALL]
        assert engine.fired_rules(answers) == fresh, n
    assert engine.states_retired == 0


def test_a_fact_left_in_memory_is_never_decided_with(engine, evaluator, baseline):
    engine.fired_rules(baseline)
    stray = facts_of({**baseline, "afraid_of_partner": True, "unsafe_now": False})
    # As if a retraction had been lost: a safety fact sits in the shared state.
    fact = json.dumps({**stray, "sid": engine._sid, "_fact": "answers"})
    _, state = rules_c.assert_fact(engine._handle, fact)
    engine._run_actions(engine._handle, state, [])
    assert _memory(engine) != []
    assert engine.fired_rules(baseline) == ["step-small-daily-talks"]
    assert engine.states_retired == 1 and _memory(engine) == []
    assert _live_state_room(engine) == STATE_CAP - 1  # the old state was deleted, not left behind


def test_probe_detects_a_leaked_state(engine):
    _, state = rules_c.assert_fact(engine._handle, json.dumps({"sid": "leak", "_fact": "answers"}))
    engine._run_actions(engine._handle, state, [])
    try:
        assert _live_state_room(engine) == STATE_CAP - 1
    finally:
        rules_c.delete_state(engine._handle, "leak")


def test_four_threads_get_correct_results(evaluator):
    rng = random.Random(4)
    cases = [random_answers(rng) for _ in range(250)]
    expected = [decide(a)["recommendation"] for a in cases]
    failures = []

    def work():
        for _ in range(4):
            for answers, wanted in zip(cases, expected, strict=True):
                if assess(evaluator, answers)["recommendation"] != wanted:
                    failures.append(answers)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _memory(evaluator.engine) == [] and evaluator.engine.states_retired == 0
    assert _live_state_room(evaluator.engine) == STATE_CAP - 1


def test_first_use_from_many_threads_at_once(rulebook, baseline):
    from service.core.decision import Evaluator

    evaluator = Evaluator(rulebook)
    evaluator.engine._pid = None  # as if just forked: every thread races to build the host
    results, barrier = [], threading.Barrier(8)

    def work():
        barrier.wait()
        results.append(assess(evaluator, baseline)["recommendation"])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["rebuild"] * 8


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_evaluation_in_a_forked_child_is_correct(evaluator, baseline):
    assess(evaluator, baseline)  # the parent has used its host before forking
    cases = [
        ({**baseline, "afraid_of_partner": True}, "professional_help"),
        (
            {**baseline, "self_willing": "no", "partner_willing": "no", "partner_refuses_to_talk": True},
            "consider_walking_away",
        ),
        (baseline, "rebuild"),
    ]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report what it decides, then leave without running pytest's teardown
        try:
            got = [assess(evaluator, a)["recommendation"] for a, _ in cases]
            got.append(evaluator.engine._pid == os.getpid())
            os.write(write, json.dumps(got).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = json.loads(pipe.read() or "null")
    os.waitpid(pid, 0)
    assert child == [wanted for _, wanted in cases] + [True]
    assert assess(evaluator, baseline)["recommendation"] == "rebuild"


def test_a_failing_action_is_an_engine_error_and_leaks_no_state(rulebook, baseline):
    from service.core.exceptions import EngineError

    engine = RuleEngine(rulebook)
    names = engine._rule_names
    engine._rule_names = frozenset()  # every action names a rule it does not know
    for _ in range(STATE_CAP + 10):  # more than the cap: every failed state must be gone
        with pytest.raises(EngineError, match="running actions: KeyError"):
            engine.fired_rules(baseline)
    assert engine.states_retired == STATE_CAP + 10  # a state that failed is never used again
    engine._rule_names = names
    assert engine.fired_rules(baseline) == ["step-small-daily-talks"]
    assert _memory(engine) == []
    assert _live_state_room(engine) == STATE_CAP - 1


def test_every_rule_is_bound_to_a_handler_by_name(rulebook):
    definition = build_ruleset(rulebook)
    level_conditions = {
        level.condition_name(key_path) for level in rulebook.levels() for key_path, _ in level.conditions
    }
    assert level_conditions == {
        "consider-walking-away:yields",
        "consider-walking-away:variant-0",
        "consider-walking-away:addition-0",
        "help-for-you:no-steps",
        "help-for-you:variant-0",
        "help-for-you:variant-2",
        "help-for-you:addition-0",
        "rebuild:own-steps",
        "rebuild:variant-0",
    }
    assert set(definition) == {e.id for e in rulebook.of_kind("rule")} | level_conditions
    assert all(rule["run"] == name for name, rule in definition.items())


def test_catch_all_is_added_when_no_rule_always_matches(tmp_path, rulebook):

    rules = tmp_path / "rules"
    shutil.copytree(rulebook.directory, rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (rules / "steps" / "step-small-daily-talks.yaml").unlink()
    (rules / "steps" / "step-small-daily-talks.cases.yaml").unlink()
    smaller = load_rulebook(rules)
    definition = build_ruleset(smaller)
    assert definition[CATCH_ALL]["all"][0]["m"] == ALWAYS
    engine = RuleEngine(smaller)
    assert engine.fired_rules({**rulebook.case_baseline}) == []  # nothing matched, and no exception
    assert _memory(engine) == []
    assert _live_state_room(engine) == STATE_CAP - 1


def test_counting_yes_answers_becomes_one_comparison(rulebook):
    expanded = to_durable(_condition({"count": "permanence-signs", "at_least": 3}), rulebook.entries)
    # partner_refuses_to_talk >= 3 - partner_always_blames - attempts_keep_failing - partner_ignores_feelings
    bound = expanded["$gte"]["partner_refuses_to_talk"]
    assert bound["$sub"]["$r"] == {"$m": "partner_ignores_feelings"}
    assert bound["$sub"]["$l"]["$sub"]["$l"]["$sub"] == {"$l": 3, "$r": {"$m": "partner_always_blames"}}


def test_counting_other_conditions_expands_to_every_group_of_k(rulebook):
    expanded = to_durable(_condition({"count": "availability-flags", "at_least": 2}), rulebook.entries)
    assert len(expanded["$or"]) == 3 and all(len(group["$and"]) == 2 for group in expanded["$or"])
    assert expanded["$or"][0]["$and"] == [{"$lte": {"ready_to_share": 2}}, {"$gte": {"walls_when_close": 4}}]


def test_includes_any_is_an_or_of_single_item_matches(rulebook):
    node = {"answer": "signs", "includes_any": ["resentment", "growing_distance"]}
    assert to_durable(_condition(node), rulebook.entries) == {
        "$or": [{"$iany": {"signs": {"$i": "resentment"}}}, {"$iany": {"signs": {"$i": "growing_distance"}}}]
    }


def _item_matches(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$iany":
                yield value
            yield from _item_matches(value)
    elif isinstance(node, list):
        for item in node:
            yield from _item_matches(item)


def test_no_item_match_combines_conditions(rulebook):
    # durable_rules builds "$iany" over "$or"/"$and" from uninitialised memory (seen with valgrind).
    for match in _item_matches(build_ruleset(rulebook)):
        (condition,) = match.values()
        assert set(condition) == {"$i"}, match


def test_fired_rules_are_reported_once_each(engine, baseline):
    answers = {
        **baseline,
        "partner_refuses_to_talk": True,
        "partner_always_blames": True,
        "attempts_keep_failing": True,
        "partner_ignores_feelings": True,
        "partner_willing": "unsure",
    }
    fired = engine.fired_rules(answers)
    assert len(fired) == len(set(fired))
    assert {"walk-away-many-signs", "together-lasting-signs"} <= set(fired)


def test_the_python_reading_of_conditions_agrees_with_the_engine(rulebook, engine):
    """explain.held (used for because, coverage and derivation cases) fires exactly what durable fires."""
    from service.core.explain import held

    rng = random.Random(31)
    rules = rulebook.rules()
    for _ in range(1500):
        facts = facts_of(random_answers(rng))
        fired = set(engine.fired_rules(facts))
        by_python = {rule.id for rule in rules if held(rule.when, facts, rulebook.entries)[0]}
        assert by_python == fired - {n for n in fired if ":" in n}, facts


def test_rule_files_load_as_typed_frozen_definitions(rulebook):
    import dataclasses

    from schemas.model import All, Count, Derivation, Derived, OutcomeEffect, OutcomeLevel, Rule

    rule = rulebook.entries["walk-away-many-signs"].spec
    assert isinstance(rule, Rule) and rule.effect == OutcomeEffect("consider-walking-away")
    assert rule.when == All((Count("permanence-signs", 3), Derived("partner-not-willing")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.when = None
    level = rulebook.entries["consider-walking-away"].spec
    assert isinstance(level, OutcomeLevel) and level.yields_when is not None and level.no_steps_when is None
    assert isinstance(rulebook.entries["permanence-signs"].spec, Derivation)
    assert rulebook.entries["permanence-signs"].spec.when is None
    with pytest.raises(TypeError, match="not a condition"):
        to_durable({"answer": "signs"}, rulebook.entries)  # raw data is read through model.parse only


def _condition(node: dict):
    condition, problems = read_condition(node)
    assert not problems, problems
    return condition
