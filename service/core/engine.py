"""The durable_rules engine: builds a JSON ruleset from the rulebook and reports which rules fire."""

import logging
import os
import threading
import weakref

import durable_rules_engine as rules_c
import orjson
from durable import engine as durable

from service.core.conditions import ALWAYS, FACT_MARKER, to_durable
from service.core.exceptions import EngineError
from service.core.rulebook import Rulebook

CATCH_ALL = "$catch-all"
log = logging.getLogger("closeness.engine")
_engines: "weakref.WeakSet[RuleEngine]" = weakref.WeakSet()


def _unused_action(_state) -> None:
    raise AssertionError("durable_rules actions are taken by RuleEngine._run_actions, never called")


class _Host(durable.Host):
    """A Host without the stock timer threads, which race synchronous callers."""

    def __init__(self, names: frozenset):
        self._names = names
        super().__init__()

    def _run(self):
        pass

    def get_action(self, action_name):
        # durable binds an action to every rule name; none is ever called: RuleEngine._run_actions
        # records a fired rule from its action message (a call per action cost more than the loop).
        if action_name not in self._names:
            raise KeyError(action_name)
        return _unused_action


def build_ruleset(rulebook: Rulebook) -> dict:
    """The durable_rules JSON ruleset: one rule per condition rule, run by its id."""
    entries = rulebook.entries
    ruleset = {}
    for rule in rulebook.rules():
        ruleset[rule.id] = {"all": [{"m": to_durable(rule.when, entries)}], "run": rule.id}
    # An outcome level's own conditions (when it gives way, which steps and words it gives) run as
    # rules too, named after the level.
    for level in rulebook.levels():
        for key_path, node in level.conditions:
            name = level.condition_name(key_path)
            ruleset[name] = {"all": [{"m": to_durable(node, entries)}], "run": name}
    if not any(rule["all"][0]["m"] == ALWAYS for rule in ruleset.values()):
        # Without a rule that always matches, durable_rules raises MessageNotHandledException and
        # leaves a state behind whose deletion can crash the process.
        ruleset[CATCH_ALL] = {"all": [{"m": ALWAYS}], "run": CATCH_ALL, "pri": 1000}
    return ruleset


class RuleEngine:
    """Evaluates answers with durable_rules; one per rulebook, safe across threads and fork.

    The ruleset is registered through a Host (JSON ruleset, handlers bound by rule name), but each
    evaluation drives the C engine directly: assert the fact, take every pending action in turn and
    hand it to its rule's handler, then retract the fact. This skips the per-action JSON round
    trips of durable's Python layer, which dominate its cost (~4.7x; ~8x with the shared state
    below, against a durable.lang integration: bench/RESULTS.md).

    Evaluations share one engine state (working memory) per process, emptied after each one:
    creating a state allocates a few hundred KB (a message pool and, for every node of the network,
    frame pools and two 4 KB hash indexes, cleared on creation), which cost more than the matching
    itself and evicted the CPU caches the rest of a request needs (measured: engine 37.5 -> 26 us
    per case warm; live POST throughput +14%). Only one answers fact is ever in it (evaluations
    are serialised by a lock) and it is retracted afterwards; the memory is checked empty before
    every evaluation, and any failure or anything left behind retires the state, so the evaluation
    runs on a new one.
    The state's name is the engine's own; nothing from a client ever names it. One live state is
    also the safe number: durable_rules finds a state by a 32-bit FNV-1 hash of its sid alone, so
    two live sids with one hash share one working memory (about 1 in 10,000 for 1,024 random sids).
    """

    def __init__(self, rulebook: Rulebook, definition: dict | None = None, kind: str = "answers"):
        """kind names the fact (FACT_MARKER) and the ruleset: "answers" for one person's answers from
        the rulebook's rules; "pair" for the couple rules' definition (service/core/couple_engine.py)."""
        self.rulebook = rulebook
        self.kind = kind
        self._sid_prefix = "closeness" if kind == "answers" else f"closeness-{kind}"
        prefix = "closeness_" if kind == "answers" else f"closeness_{kind}_"
        self.ruleset_name = prefix + rulebook.digest.removeprefix("sha256:")[:16]
        self.definition = build_ruleset(rulebook) if definition is None else definition
        self._rule_names = frozenset(self.definition)
        self._setup_lock = threading.Lock()
        self._pid = None
        self._host = None
        self.states_retired = 0
        _engines.add(self)
        self._ensure_host()

    def _ensure_host(self) -> None:
        """Build the Host once per process; a forked child builds its own (its _pid is reset at fork, so
        no evaluation pays a system call to ask which process it runs in)."""
        if self._pid is not None:
            return
        with self._setup_lock:
            if self._pid is not None:
                return
            host = _Host(self._rule_names)
            host.set_rulesets({self.ruleset_name: _copy(self.definition)})
            self._host = host
            self._handle = host.get_ruleset(self.ruleset_name)._handle
            self._lock, self._generation, self._sequence = threading.Lock(), 0, 0
            self._sid, self._state_made = f"{self._sid_prefix}-{os.getpid()}-0", False
            self._pid = os.getpid()

    def _after_fork(self) -> None:
        self._setup_lock = threading.Lock()
        self._pid = None

    def fired_rules(self, answers: dict) -> list[str]:
        """Ids of the rules whose conditions hold for these (validated) answers, in firing order."""
        self._ensure_host()
        handle = self._handle
        fired: list[str] = []
        # The C extension holds the GIL throughout, so serialising evaluations costs no throughput.
        with self._lock:
            # Never decide on a memory with anything in it (the state exists once a fact went in).
            if self._state_made and rules_c.get_facts(handle, self._sid) != "[]":
                log.warning("the engine's working memory was not empty; it was replaced")
                self._retire_state()
            self._sequence += 1
            sid, fact_id = self._sid, str(self._sequence)
            # An explicit id spares durable_rules hashing the whole fact, and lets the retraction
            # name the fact instead of repeating it.
            fact = orjson.dumps({**answers, "sid": sid, "id": fact_id, FACT_MARKER: self.kind}).decode()
            try:
                code, state = rules_c.assert_fact(handle, fact)
            except Exception as error:
                self._retire_state(delete=False)
                raise EngineError(f"durable_rules refused the fact: {type(error).__name__}") from None
            self._state_made = True
            if code != 0:
                # Unreachable with the catch-all rule and an empty memory. Such a state is left alone:
                # deleting it can crash the process.
                self._retire_state(delete=False)
                raise EngineError(f"durable_rules did not take the fact (code {code})")
            try:
                self._run_actions(handle, state, fired)
                rules_c.retract_fact(handle, f'{{"sid":"{sid}","id":"{fact_id}"}}')
            except EngineError:
                self._retire_state()
                raise
            except Exception as error:
                self._retire_state()
                raise EngineError(f"durable_rules failed to retract a fact: {type(error).__name__}") from None
        unique = dict.fromkeys(fired)
        unique.pop(CATCH_ALL, None)
        return list(unique)

    def _run_actions(self, handle, state, fired: list) -> None:
        # Every pending action must be taken before the state is deleted: deleting a state with
        # actions still pending aborts the process (free(): invalid pointer).
        names, record = self._rule_names, fired.append
        try:
            result = rules_c.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                name = message[2 : message.index('"', 2)]  # an action message is {"<rule id>":{...}}
                if name not in names:
                    raise KeyError(name)
                record(name)
                message = rules_c.complete_and_start_action(handle, state)
        except Exception as error:
            try:
                rules_c.abandon_action(handle, state)
            except Exception:  # noqa: S110 - the original error is the one to report
                pass
            raise EngineError(f"durable_rules failed while running actions: {type(error).__name__}") from None

    def _retire_state(self, delete: bool = True) -> None:
        """Name a new state for the next evaluation; delete the old one unless that is unsafe."""
        sid = self._sid
        self._generation += 1
        self._sid = f"{self._sid_prefix}-{self._pid}-{self._generation}"
        self.states_retired += 1
        self._state_made = False
        if delete:
            try:
                rules_c.delete_state(self._handle, sid)
            except Exception:  # noqa: S110 - a state that cannot be deleted is left alone, never reused
                pass


def _copy(definition: dict) -> dict:
    # durable's Ruleset pops "run" from the dict it is given.
    return {name: dict(rule) for name, rule in definition.items()}


def _reset_engines_in_child() -> None:
    for engine in list(_engines):
        engine._after_fork()


os.register_at_fork(after_in_child=_reset_engines_in_child)
