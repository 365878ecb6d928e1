"""The durable_rules engine: builds a JSON ruleset from the rulebook and reports which rules fire."""

import os
import threading
import uuid
import weakref

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
    """Evaluates answers with durable_rules; one per rulebook, safe across threads and fork."""

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
            self._host, self._fired, self._lock = host, [], threading.Lock()
            self._pid = os.getpid()

    def _recorder(self, rule_id: str):
        def record(closure):
            self._fired.append(rule_id)

        return record

    def _after_fork(self) -> None:
        self._setup_lock = threading.Lock()
        self._pid = None

    def fired_rules(self, answers: dict) -> list[str]:
        """Ids of the rules whose conditions hold for these (validated) answers, in firing order."""
        self._ensure_host()
        # The C extension holds the GIL throughout, so serialising evaluations costs no throughput
        # and keeps each evaluation's record of fired rules its own.
        with self._lock:
            sid = uuid.uuid4().hex
            self._fired = fired = []
            fact = {**answers, "sid": sid, FACT_MARKER: "answers"}
            try:
                state = self._host.assert_fact(self.ruleset_name, fact)
            except durable.MessageNotHandledException:
                # Unreachable with the catch-all rule; the state must not be deleted (it can crash).
                raise EngineError("no rule matched, not even the catch-all") from None
            except Exception as error:
                self._delete(sid)
                raise EngineError(f"durable_rules failed: {type(error).__name__}") from None
            self._delete(sid)
            if state and state.get("exception"):
                raise EngineError("a rule handler failed")
        return list(dict.fromkeys(name for name in fired if name != CATCH_ALL))

    def _delete(self, sid: str) -> None:
        try:
            self._host.delete_state(self.ruleset_name, sid)
        except Exception as error:
            raise EngineError(f"could not delete engine state: {type(error).__name__}") from None


def _copy(definition: dict) -> dict:
    # durable's Ruleset pops "run" from the dict it is given.
    return {name: dict(rule) for name, rule in definition.items()}


def _reset_engines_in_child() -> None:
    for engine in list(_engines):
        engine._after_fork()


os.register_at_fork(after_in_child=_reset_engines_in_child)
