"""Urgent alerts: every urgent decision (and, if configured, every noted concern) pushed to a webhook.

A small signed POST, off the request path: the request only puts the alert on a bounded queue; a
background thread per worker delivers it, retrying with exponential backoff. The body carries the
alert and decision ids, the concern names and the time, never the answers. The signature is
HMAC-SHA256 over "<timestamp>.<body>" with CLOSENESS_ALERT_SECRET, sent as
X-Closeness-Signature: sha256=<hex> with X-Closeness-Timestamp: <unix seconds>; a receiver checks it
and refuses a timestamp older than a few minutes (replay). Failures are logged without the body,
counted, and shown on /readyz.
"""

import hashlib
import hmac
import json
import logging
import queue
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime

from service.core.result import Result
from service.ops.worker_thread import PerProcessThread

log = logging.getLogger("closeness.alerts")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class AlertSender:
    """Queues alerts and delivers them from a thread of its own (started in each worker process)."""

    def __init__(
        self,
        url: str,
        secret: str,
        noted: bool = False,
        retry_base: float = 1.0,
        attempts: int = 8,
        capacity: int = 1000,
        timeout: float = 5.0,
    ):
        self.url, self.secret, self.noted = url, secret, noted
        self.retry_base, self.attempts, self.timeout = retry_base, attempts, timeout
        self.queue: queue.Queue = queue.Queue(maxsize=capacity)
        self.failing = False  # the last attempt failed; cleared by the next delivery
        self._thread = PerProcessThread(self._run, "closeness-alerts")

    def wants(self, result: Result) -> bool:
        return bool(result.safety.urgent or (self.noted and result.safety.noted))

    def send(self, result: Result, decision_id: str | None, pair: tuple[str, str] | None = None) -> None:
        """Put an alert on the queue (never blocks the request); a full queue drops it, counted.
        pair: (pair id, partner role) for a partner's answers in couple mode."""
        if not self.wants(result):
            return
        alert = {
            "type": "closeness.urgent" if result.urgent else "closeness.noted",
            "alert_id": uuid.uuid4().hex,
            "decision_id": decision_id,
            "concerns": {"urgent": list(result.safety.urgent), "noted": list(result.safety.noted)},
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            **({"pair": pair[0], "partner": pair[1]} if pair else {}),
        }
        self._put(alert)

    def send_couple_updated(self, pair_id: str) -> None:
        """Tell the practice a partner of this pair answered (the joint view is there once both have):
        the pair id only. Sent after every answer, complete or not, so that neither the webhook nor its
        counts, failures and log lines say when a pair became complete."""
        self._put(
            {
                "type": "closeness.couple_updated",
                "alert_id": uuid.uuid4().hex,
                "pair": pair_id,
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )

    def _put(self, alert: dict) -> None:
        self._ensure_thread()
        try:
            self.queue.put_nowait(alert)
        except queue.Full:
            _count("dropped")
            log.error("alert dropped: the alert queue is full")

    def _ensure_thread(self) -> None:
        self._thread.ensure()

    def _run(self) -> None:
        while True:
            alert = self.queue.get()
            self._deliver(alert)

    def _deliver(self, alert: dict) -> None:
        body = json.dumps(alert, separators=(",", ":")).encode()
        for attempt in range(self.attempts):
            timestamp = str(int(time.time()))  # signed anew each attempt, so a retry is never stale
            request = urllib.request.Request(
                self.url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "X-Closeness-Timestamp": timestamp,
                    "X-Closeness-Signature": signature(self.secret, timestamp, body),
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured URL
                    if 200 <= response.status < 300:
                        self.failing = False
                        _count("delivered")
                        return
            except (urllib.error.URLError, OSError, ValueError) as error:
                log.warning("alert delivery failed (attempt %d): %s", attempt + 1, type(error).__name__)
            self.failing = True
            _count("retried")
            time.sleep(min(self.retry_base * 2**attempt, 300))
        _count("failed")
        log.error("alert %s not delivered after %d attempts", alert["alert_id"], self.attempts)


def _count(outcome: str) -> None:
    from service.ops.metrics import record_alert

    record_alert(outcome)
