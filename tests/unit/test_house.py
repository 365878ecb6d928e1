"""The house stays small enough to read: no module over 400 lines, no function over 80, no result
read by key outside the schema that dumps it."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("service", "schemas", "rules", "bench", "scripts", "tests")
MODULE_LINES, FUNCTION_LINES = 400, 80


def _modules(folders=FOLDERS) -> list[Path]:
    return sorted(
        p for folder in folders for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts
    )


def _too_long(path: Path, base: Path = ROOT) -> list[str]:
    text = path.read_text(encoding="utf-8")
    found = []
    if len(text.splitlines()) > MODULE_LINES:
        found.append(f"{path.relative_to(base)}: {len(text.splitlines())} lines")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > FUNCTION_LINES:
                found.append(f"{path.relative_to(base)}:{node.lineno}: {node.name} is {length} lines")
    return found


def test_no_module_over_400_lines_and_no_function_over_80():
    assert len(_modules()) > 100
    assert [problem for path in _modules() for problem in _too_long(path)] == []


def test_the_length_check_finds_a_long_function(tmp_path):
    body = "".join(f"    x{i} = {i}\n" for i in range(FUNCTION_LINES))
    path = tmp_path / "long_example.py"
    path.write_text(f"def long():\n{body}")
    assert _too_long(path, tmp_path) == [f"long_example.py:1: long is {FUNCTION_LINES + 1} lines"]
    path.write_text(f"def short():\n{body[: body.rindex('    x')]}" + "\n" * MODULE_LINES)
    assert _too_long(path, tmp_path) == [f"long_example.py: {MODULE_LINES + FUNCTION_LINES} lines"]


# The result's keys; reading any of them by key from a result is the schema's job alone.
RESULT_KEYS = ("recommendation", "urgent", "safety", "reasons", "steps", "also_consider", "warnings")


@pytest.mark.parametrize("path", _modules(("service",)), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_service_module_reads_a_result_by_key(path):
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"\b(result|assessment\.result)\[[\"'](" + "|".join(RESULT_KEYS) + r")[\"']\]")
    assert not pattern.search(text)
