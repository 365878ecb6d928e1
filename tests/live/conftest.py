"""A real PostgreSQL from Debian's binaries on 127.0.0.1, which tests can stop, start, freeze and thaw."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from service.audit.decision_log import DecisionLog, decisions, migrate
from tests.live import logapps
from tests.live.couples import database  # noqa: F401 - couple mode's fixture: a fresh database per test
from tests.servers import free_port


class Postgres:
    def __init__(self):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not bins or os.geteuid() != 0 or not shutil.which("runuser"):
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL tests need Debian's postgresql binaries and root (runuser)")
            pytest.skip("PostgreSQL binaries or root not available")
        self.bindir = bins[-1].parent
        self.root = Path(tempfile.mkdtemp(prefix="closeness-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        shutil.chown(self.root, "postgres")
        self._as_postgres(
            self.bindir / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync"
        )
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self.start()
        migrate(self.url)

    def _as_postgres(self, *command):
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, command)],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self):
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=80"
        )
        self._as_postgres(
            self.bindir / "pg_ctl", "-D", self.data, "-o", options, "-l", self.root / "log", "-w", "start"
        )

    def stop(self):
        self._as_postgres(self.bindir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def _pids(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout
        return [postmaster, *map(int, children.split())]

    def freeze(self):
        """SIGSTOP the server and its backends: connections stay open, nothing answers."""
        for pid in self._pids():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self):
        for pid in self._pids():
            os.kill(pid, signal.SIGCONT)

    def close(self):
        try:
            self.thaw()
        except (FileNotFoundError, ProcessLookupError):  # already stopped
            pass
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def pg():
    server = Postgres()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def postgres(pg):
    """The URL of a module's PostgreSQL."""
    return pg.url


def in_database(url, ids, seconds=60.0) -> set[str]:
    """The ids among `ids` that are rows of the decision log, waiting up to `seconds` for all."""
    log = DecisionLog(url)
    deadline = time.monotonic() + seconds
    try:
        while True:
            with log.engine.connect() as connection:
                found = {
                    row.id
                    for row in connection.execute(select(decisions.c.id).where(decisions.c.id.in_(ids)))
                }
            if found == set(ids) or time.monotonic() > deadline:
                return found
            time.sleep(0.2)
    finally:
        log.engine.dispose()


@pytest.fixture(autouse=True)
def _stop_spools():
    """Each test's apps stop shipping when it ends (what they could not ship stays on disk)."""
    yield
    while logapps.APPS:
        logapps.APPS.pop().extensions["closeness"].decision_log.close(timeout=0.2)


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'decisions.sqlite3'}"
    migrate(url)
    return url
