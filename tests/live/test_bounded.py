"""Everything a client controls stays bounded: at least 10,000 distinct values for every input that
reaches a cache, a metrics label, a file name or the log, sent by wrk to a real gunicorn worker. Its
memory and /metrics stay flat."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bench.common import rss_kib
from bench.wrk import LUA, bodies_file
from tests.servers import LiveServer

DISTINCT, KINDS = 10_000, 7
HOSTILE = Path(__file__).with_name("hostile.lua")


def _worker_rss(server) -> int:
    (pid,) = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    return rss_kib(int(pid))


def _series(server) -> set[str]:
    _, _, body = server.request("GET", "/metrics")
    return {re.sub(rb" \S+$", b"", line).decode() for line in body.splitlines() if line and line[:1] != b"#"}


def _wrk(url: str, seconds: int, script: Path, *args: str) -> tuple[int, str]:
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url, "--", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    return int(re.search(r"(\d+) requests in", out).group(1)), out


@pytest.mark.slow
def test_distinct_client_values_leave_memory_and_metrics_flat(tmp_path):
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail("this test needs wrk (make wrk installs it)")
        pytest.skip("wrk not installed")
    env = {
        "CLOSENESS_DECISION_LOG": "true",
        "CLOSENESS_DECISION_LOG_URL": f"sqlite:///{tmp_path / 'log.sqlite3'}",
        "CLOSENESS_API_KEY": "bounded-key",
        "CLOSENESS_MAX_REQUESTS": "10000000",  # the same worker throughout
    }
    server = LiveServer(tmp_path / "server.log", env=env, workers=1)
    bodies = bodies_file()
    try:
        # Warm up: the decision caches filled to their bounds, and a few of every hostile kind.
        _wrk(server.url + "/v1/assessments", 6, LUA, "/v1/assessments", bodies)
        _wrk(server.url, 2, HOSTILE, "900000000", bodies)
        server.request("GET", "/metrics")
        rss_before, before = _worker_rss(server), _series(server)
        sent, start = 0, 0
        while sent < DISTINCT * KINDS:  # each kind gets a new value on every request
            count, _ = _wrk(server.url, 12, HOSTILE, str(start), bodies)
            sent, start = sent + count, start + 10_000_000
        rss_after, after = _worker_rss(server), _series(server)
    finally:
        server.stop()
    new = after - before
    # Only bounded label values may appear: rules the sample had not fired yet, known outcomes.
    assert all(re.search(r'\{(rule|recommendation)="[a-z_-]+"', series) for series in new), sorted(new)[:5]
    assert not [s for s in after if re.search(r"M\d{8}|/no/such|xx-|passwd|rule-\d", s)]
    growth = rss_after - rss_before
    assert growth < max(8 * 1024, rss_before // 20), (rss_before, rss_after, sent)
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and "passwd" not in log and "xx-0" not in log and '"status": 500' not in log
