"""The wheel holds every package of the service: an installed (not editable) copy must run."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_python_package_is_listed_for_the_wheel():
    from setuptools import find_namespace_packages

    find = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    listed = set(find_namespace_packages(str(ROOT), include=find["include"]))
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("service", "schemas")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"missing from [tool.setuptools] packages: {sorted(found - listed)}"
