"""The floors import only downward, and the core never imports Flask (import-linter, in make test)."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = [
        "[tool.importlinter]",
        'root_packages = ["service", "schemas"]',
        "include_external_packages = true",
    ]
    for contract in config["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{key} = {value!r}".replace("'", '"') for key, value in contract.items()]
    (tree / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return subprocess.run(
        [str(LINT), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )


@pytest.fixture
def tree(tmp_path) -> Path:
    if not LINT.exists():
        pytest.skip("import-linter is not installed (make test installs it)")
    for package in ("service", "schemas"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_layer_contracts_hold(tree):
    run = _lint(tree)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 kept, 0 broken" in run.stdout


@pytest.mark.parametrize(
    ("where", "line", "contract"),
    [
        ("service/core", "from flask import current_app", "The decision core never imports Flask"),
        ("service/core", "from service.api import errors", "Floors import only downward"),
        ("schemas", "from service.core import intake", "Floors import only downward"),
        ("service/interop", "from service.api import services", "Floors import only downward"),
        ("service/ops", "from service.audit import report", "Floors import only downward"),
        ("service/api", "from service.cli import group", "Floors import only downward"),
    ],
    ids=[
        "flask_in_core",
        "core_uses_api",
        "schemas_uses_core",
        "interop_uses_api",
        "ops_uses_audit",
        "api_uses_cli",
    ],
)
def test_a_violating_import_breaks_a_contract(tree, where, line, contract):
    (tree / where / "probe.py").write_text(line + "\n")
    run = _lint(tree)
    assert run.returncode != 0 and f"{contract} BROKEN" in run.stdout
