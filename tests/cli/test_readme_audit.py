"""The README's auditing worked example, run line by line exactly as written, its shown output checked."""

import json
import re
import subprocess
from pathlib import Path

import pytest

from service.core.decision import Evaluator
from service.core.rulebook import load_rulebook
from tests.results import assess

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
pytestmark = pytest.mark.slow


def _steps() -> list[tuple[str, int | None, list[str]]]:
    """(command, the exit code its comment names, the output lines shown under it)."""
    block = re.search(r"<!-- audit-example -->\n```sh\n(.*?)```", README, re.S).group(1)
    steps = []
    for line in block.splitlines():
        if line.startswith("#"):
            steps[-1][2].append(line.lstrip("#").strip())
            continue
        code = re.search(r"# exit (\d)", line)
        steps.append((line, int(code.group(1)) if code else None, []))
    return steps


def _pattern(shown: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(part) for part in shown.split("...")))


def test_the_auditing_example_runs_as_written():
    if not (ROOT / ".venv" / "bin" / "closeness").exists():
        pytest.skip("the example uses .venv/bin/closeness (make test creates it)")
    for command, code, shown in _steps():
        run = subprocess.run(["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert "Traceback" not in run.stderr, command
        if code is not None:
            assert run.returncode == code, (command, run.stderr[-500:])
        output = (run.stdout + run.stderr).splitlines()
        for line in shown:
            assert any(_pattern(line).search(out) for out in output), (command, line)
    # The evaluate step decided with the changed rules: every person's result is the new decision.
    new = Evaluator(load_rulebook(Path("/tmp/rules-new")))
    changed = [json.loads(line) for line in Path("/tmp/changed.jsonl").read_text().splitlines()]
    results = [json.loads(line) for line in Path("/tmp/new-results.jsonl").read_text().splitlines()]
    assert changed and len(results) == len(changed)
    for answers, result in zip(changed, results, strict=True):
        assert result["recommendation"] == assess(new, answers)["recommendation"]
        assert result["ruleset"]["digest"] != load_rulebook().digest
    assert "walk-away-many-signs" in Path("/tmp/review.md").read_text()
