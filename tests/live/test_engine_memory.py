"""The engine's C extension under valgrind's memcheck: building and running the ruleset reads no
uninitialised memory."""

import os
import re
import shutil
import subprocess
import sys

import pytest


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")
def test_building_and_running_the_ruleset_reads_no_uninitialised_memory(tmp_path):
    script = (
        "from service.core.rulebook import load_rulebook\n"
        "from service.core.engine import RuleEngine\n"
        "engine = RuleEngine(load_rulebook())\n"
        "print(engine.fired_rules(dict(engine.rulebook.case_baseline)))\n"
    )
    run = subprocess.run(
        ["valgrind", "--tool=memcheck", "--error-limit=no", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONMALLOC": "malloc"},
    )
    assert run.returncode == 0 and "step-small-daily-talks" in run.stdout, run.stderr[-2000:]
    reports = re.split(r"^==\d+==\s*$", run.stderr, flags=re.M)  # one block per report
    bad = ("uninitialised", "Invalid read")
    problems = [r for r in reports if any(word in r for word in bad) and "durable_rules_engine" in r]
    assert problems == [], problems[:2]
