"""A background thread started once in each worker process (gunicorn forks after the app is built, and
a thread does not survive a fork): the alert sender and couple mode's joint-view queue use it."""

import os
import threading


class PerProcessThread:
    """Starts `target` in a daemon thread the first time `ensure()` is called in each process."""

    def __init__(self, target, name: str):
        self.target, self.name = target, name
        self._pid, self._lock = None, threading.Lock()

    def ensure(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self.target, name=self.name, daemon=True).start()
