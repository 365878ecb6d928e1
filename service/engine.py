"""The durable_rules engine: builds a JSON ruleset from the rulebook and reports which rules fire."""

import json
import os
import threading
import weakref

import durable_rules_engine as rules_c
from durable import engine as durable

from service.conditions import ALWAYS, FACT_MARKER, to_durable
from service.exceptions import EngineError
from service.rulebook import Rulebook

CATCH_ALL = "$catch-all"
_engines: "weakref.WeakSet[RuleEngine]" = weakref.WeakSet()


class _Host(durable.Host):
    """A Host without the stock timer threads, which race synchronous callers."""

    def __init__(self, handlers: dict):
        self._handlers = handlers
        super().__init__()

    def _run(self):
        pass

    def get_action(self, action_name):
        return self._handlers[action_name]


def build_ruleset(rulebook: Rulebook) -> dict:
    """The durable_rules JSON ruleset: one rule per condition rule, run by its id."""
    entries = rulebook.entries
    ruleset = {}
    for entry in rulebook.of_kind("rule"):
        rule = {"all": [{"m": to_durable(entry["when"], entries)}], "run": entry.id}
        ruleset[entry.id] = rule
    if not any(rule["all"][0]["m"] == ALWAYS for rule in ruleset.values()):
        # Without a rule that always matches, durable_rules raises MessageNotHandledException and
        # leaves a state behind whose deletion can crash the process.
        ruleset[CATCH_ALL] = {"all": [{"m": ALWAYS}], "run": CATCH_ALL, "pri": 1000}
    return ruleset


class RuleEngine:
    """Evaluates answers with durable_rules; one per rulebook, safe across threads and fork.

    The ruleset is registered through a Host (JSON ruleset, handlers bound by rule name), but each
    evaluation drives the C engine directly: assert the fact, take every pending action in turn and
    hand it to its rule's handler, then delete the state. This skips the per-action JSON round
    trips of durable's Python layer, which dominate its cost (measured ~4.7x).
    """

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self.ruleset_name = "closeness_" + rulebook.digest.removeprefix("sha256:")[:16]
        self.definition = build_ruleset(rulebook)
        self._setup_lock = threading.Lock()
        self._pid = None
        self._host = None
        _engines.add(self)
        self._ensure_host()

    def _ensure_host(self) -> None:
        """Build the Host once per process; a forked child builds its own."""
        if self._pid == os.getpid():
            return
        with self._setup_lock:
            if self._pid == os.getpid():
                return
            handlers = {name: self._recorder(name) for name in self.definition}
            host = _Host(handlers)
            host.set_rulesets({self.ruleset_name: _copy(self.definition)})
            self._host, self._handlers = host, handlers
            self._handle = host.get_ruleset(self.ruleset_name)._handle
            self._lock, self._sequence = threading.Lock(), 0
            self._pid = os.getpid()

    @staticmethod
    def _recorder(rule_id: str):
        # An action message is {"<rule id>":{...}}; its handler records the rule as fired.
        return lambda fired: fired.append(rule_id)

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
            self._sequence += 1
            sid = f"{self._pid}-{self._sequence}"  # fresh per evaluation; never taken from a client
            encoded = json.dumps(answers, ensure_ascii=False, separators=(",", ":"))
            fact = f'{encoded[:-1]},"sid":"{sid}","{FACT_MARKER}":"answers"}}'
            try:
                code, state = rules_c.assert_fact(handle, fact)
            except Exception as error:
                raise EngineError(f"durable_rules refused the fact: {type(error).__name__}") from None
            if code != 0:
                # Unreachable with the catch-all rule; such a state must not be deleted (it can crash).
                raise EngineError(f"durable_rules did not take the fact (code {code})")
            try:
                self._run_actions(handle, state, fired)
            finally:
                self._delete(handle, sid)
        unique = dict.fromkeys(fired)
        unique.pop(CATCH_ALL, None)
        return list(unique)

    def _run_actions(self, handle, state, fired: list) -> None:
        # Every pending action must be taken before the state is deleted: deleting a state with
        # actions still pending aborts the process (free(): invalid pointer).
        handlers = self._handlers
        try:
            result = rules_c.start_action_for_state(handle, state)
            message = result[1] if result else None
            while message:
                handlers[message[2 : message.index('"', 2)]](fired)  # the rule's handler, bound by name
                message = rules_c.complete_and_start_action(handle, state)
        except Exception as error:
            try:
                rules_c.abandon_action(handle, state)
            except Exception:  # noqa: S110 - the original error is the one to report
                pass
            raise EngineError(f"durable_rules failed while running actions: {type(error).__name__}") from None

    def _delete(self, handle, sid: str) -> None:
        try:
            rules_c.delete_state(handle, sid)
        except Exception as error:
            raise EngineError(f"could not delete engine state: {type(error).__name__}") from None


def _copy(definition: dict) -> dict:
    # durable's Ruleset pops "run" from the dict it is given.
    return {name: dict(rule) for name, rule in definition.items()}


def _reset_engines_in_child() -> None:
    for engine in list(_engines):
        engine._after_fork()


os.register_at_fork(after_in_child=_reset_engines_in_child)
