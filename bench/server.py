"""A real `closeness serve` (gunicorn) on a free loopback port, with its workers' memory, for benchmarks."""

import tempfile
from pathlib import Path

from bench.common import rss_kib
from tests.servers import LiveServer


class Server(LiveServer):
    def __init__(self, workers: int = 2, env: dict | None = None):
        self._tmp = tempfile.TemporaryDirectory(prefix="closeness-bench-")
        # The real app with POST /bench/trivial added (bench/app.py), under the real gunicorn config.
        env = {"CLOSENESS_DECISION_SPOOL_DIR": str(Path(self._tmp.name) / "spool"), **(env or {})}
        super().__init__(
            Path(self._tmp.name) / "gunicorn.log", env=env, workers=workers, app="bench.app:create_app()"
        )

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def worker_rss_kib(self) -> dict[int, int]:
        return {pid: rss_kib(pid) for pid in self.workers()}

    def stop(self) -> None:
        super().stop()
        self._tmp.cleanup()
