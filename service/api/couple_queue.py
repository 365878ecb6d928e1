"""The joint view is decided off the request path: a partner's response is sent first, then (when it
is closed) the pair's id goes on a bounded queue, and one thread per worker process decides and
stores the joint view, and tells the practice's webhook that the pair changed (after every answer).
So a partner's response, its headers and its timing never depend on the other partner. A full queue
drops the id: a read decides it instead."""

import logging
import queue
import threading

from sqlalchemy.exc import SQLAlchemyError

from service.audit.couples_store import PairBusy, PairGone
from service.core.exceptions import ClosenessError
from service.ops.worker_thread import PerProcessThread

log = logging.getLogger("closeness.couples")


class JointQueue:
    def __init__(self, flow, alerts=None, capacity: int = 1000):
        self.flow, self.alerts = flow, alerts
        self.queue: queue.Queue = queue.Queue(maxsize=capacity)
        self._thread = PerProcessThread(self._run, "closeness-joint")
        self.idle = threading.Event()
        self.idle.set()

    def put(self, pair_id: str) -> None:
        self._ensure_thread()
        try:
            self.queue.put_nowait(pair_id)
            self.idle.clear()
        except queue.Full:
            log.warning("joint view queue full: a read of the pair decides it")

    def wait(self, timeout: float = 10.0) -> bool:
        """Until the queue is empty and its last item done (tests, and a clean stop)."""
        return self.idle.wait(timeout)

    def _ensure_thread(self) -> None:
        self._thread.ensure()

    RETENTION_EVERY = 3600.0  # seconds between retention passes (pairs past retention already 404)

    def _run(self) -> None:
        self._retention_pass()
        while True:
            try:
                pair_id = self.queue.get(timeout=self.RETENTION_EVERY)
            except queue.Empty:
                self._retention_pass()
                continue
            try:
                self.flow.decide_joint(pair_id)
                if self.alerts is not None:
                    self.alerts.send_couple_updated(pair_id)
            except (PairGone, PairBusy):
                pass  # erased or withdrawn meanwhile; or a read will decide it
            except (SQLAlchemyError, ClosenessError) as error:
                log.error("joint view not decided now (a read decides it): %s", type(error).__name__)
            finally:
                if self.queue.empty():
                    self.idle.set()

    def _retention_pass(self) -> None:
        try:
            purged = self.flow.purge_expired()
        except (SQLAlchemyError, ClosenessError) as error:
            log.error("couple retention pass failed: %s", type(error).__name__)
            return
        if purged:
            log.info("couple retention pass: %d pair(s) erased", purged)
