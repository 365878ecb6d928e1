"""Run wrk against 127.0.0.1 for a bounded time and parse what it reports."""

import json
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

LUA = Path(__file__).resolve().parent / "assessments.lua"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


@cache
def bodies_file(count: int = 20000) -> str:
    """A file of distinct, valid questionnaire v2 answer sets, one JSON object a line (made once)."""
    from bench.common import unique_cases

    path = Path(tempfile.mkdtemp(prefix="closeness-wrk-")) / "bodies.jsonl"
    path.write_text(
        "".join(json.dumps(case, separators=(",", ":")) + "\n" for case in unique_cases(count, 11))
    )
    return str(path)


def run(
    url: str, seconds: int, connections: int, threads: int = 2, script: Path | None = None, path: str = ""
) -> dict:
    """Requests/s, p50/p99 in ms, errors (socket errors, non-2xx) for one wrk run."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("load is only ever sent to 127.0.0.1")
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian package 'wrk')")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    if script == LUA:  # assessments.lua posts its bodies to `path` (default /v1/assessments)
        command += ["--", path or "/v1/assessments", bodies_file()]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = int(re.search(r"Non-2xx or 3xx responses: (\d+)", out).group(1)) if "Non-2xx" in out else 0
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "p50_ms": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "socket_errors": errors,
        "non_2xx": non_2xx,
    }
