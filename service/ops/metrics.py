"""Prometheus metrics, summed across gunicorn workers (multiprocess mode with PROMETHEUS_MULTIPROC_DIR).

The counters and what records them; each request is counted by service/api/middleware.py, and
GET /metrics is service/api/metrics.py."""

import atexit
import os
import threading
import time
from functools import cache

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from service.core.result import Result
from service.ops.worker_thread import PerProcessThread

REQUESTS = Counter(
    "closeness_http_requests_total",
    "HTTP requests by endpoint, method and status",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "closeness_http_request_duration_seconds",
    "Time spent answering HTTP requests",
    ["endpoint"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
DECISIONS = Counter("closeness_decisions_total", "Recommendations given", ["recommendation", "urgent"])
LOG_FAILURES = Counter(
    "closeness_decision_log_failures_total",
    "Failed calls to the decision log's database (the decisions wait in the spool and are retried)",
)
LOG_DROPS = Counter(
    "closeness_decision_log_dropped_total", "Decisions not recorded because the spool was full"
)
RULE_FIRINGS = Counter("closeness_rule_firings_total", "Rules reported as reasons, by rule id", ["rule"])
ALERTS = Counter(
    "closeness_alerts_total", "Urgent alerts to the webhook: delivered, retried, failed, dropped", ["outcome"]
)

# HTTP methods as labels: a fixed set, so that no client can grow the metrics with made-up methods.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


FLUSH_SECONDS = 1.0


@cache
def _child(metric, *labels):
    # labels() costs a lock and a lookup on every call; the set of label values is small and bounded.
    return metric.labels(*labels)


class _Counts:
    """Counter increments made in this process, added to the shared counters within a second.

    With gunicorn's workers (multiprocess mode) every increment is a locked write to a memory-mapped
    file, and a decision made about eight of them (its request, the decision, each reason's rule).
    They are summed here instead, and added by a thread in each process once a second, before this
    process answers /metrics, and when it exits. Keys are the counters' children, whose label values
    are bounded, so this never holds more than those.
    """

    def __init__(self):
        self._lock, self._pending = threading.Lock(), {}
        # Held from taking the counts to adding them: a flush waits for one under way, so /metrics
        # never misses counts the thread has taken but not yet added.
        self._flushing = threading.Lock()
        self._thread = PerProcessThread(self._every_second, "closeness-metrics")
        self._started = False  # this process's thread (a fork's child starts its own)

    def add(self, child, amount: float = 1) -> None:
        if not self._started:
            self._thread.ensure()
            self._started = True
        with self._lock:
            self._pending[child] = self._pending.get(child, 0) + amount

    def flush(self) -> None:
        with self._flushing:
            with self._lock:
                pending, self._pending = self._pending, {}
            for child, amount in pending.items():
                child.inc(amount)

    def _every_second(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            self.flush()

    def _after_fork(self) -> None:  # a child starts with nothing pending, locks nobody holds, no thread
        self._lock, self._flushing, self._pending = threading.Lock(), threading.Lock(), {}
        self._started = False


_counts = _Counts()
atexit.register(_counts.flush)
os.register_at_fork(after_in_child=_counts._after_fork)


def record_decision(result: Result) -> None:
    add = _counts.add
    add(_child(DECISIONS, result.recommendation, "true" if result.urgent else "false"))
    for reason in result.reasons:
        add(_child(RULE_FIRINGS, reason.rule))


def record_log_failure() -> None:
    LOG_FAILURES.inc()


def record_log_drop() -> None:
    LOG_DROPS.inc()


def record_alert(outcome: str) -> None:
    _child(ALERTS, outcome).inc()


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    """One answered request: its route template (never the path) and a method from a fixed set."""
    _counts.add(_child(REQUESTS, endpoint, method if method in METHODS else "other", str(status)))
    _child(LATENCY, endpoint).observe(seconds)


def exposition() -> tuple[bytes, str]:
    """Every metric in Prometheus text format, summed across workers when they share a folder (this
    process's own counts are all in; another worker's are at most a second behind)."""
    _counts.flush()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY as registry
    return generate_latest(registry), CONTENT_TYPE_LATEST
