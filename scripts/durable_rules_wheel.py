"""Build durable-rules 2.0.28 for Pythons its last release does not import on (3.13 and later).

durable-rules 2.0.28 (2020) is the last release. Its C extension calls PyEval_CallObject, which
CPython 3.13 removed; the upstream fix was merged but never released. This builds the published
source distribution (checked against its PyPI hash) with the patch in patches/durable-rules/ (the
removed call replaced by its documented successor, PyObject_CallObject; the version marked
+closeness1) into a wheel cached under .cache/wheels/, and prints the wheel's path.

Usage: PYTHON scripts/durable_rules_wheel.py [CACHE_DIR]   (run by the Makefile and the Dockerfile)
Remove it, the patch and their callers once a durable-rules release imports on Python 3.13.
"""

import hashlib
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path

VERSION = "2.0.28"
SDIST = f"durable_rules-{VERSION}.tar.gz"
SDIST_SHA256 = "053b26f5e48d312d4fa27995243f954671be6eece477f150c059c364eb4d7d61"  # PyPI's published hash
ROOT = Path(__file__).resolve().parents[1]
PATCH = ROOT / "patches" / "durable-rules" / f"{VERSION}-python-3.13.patch"


def _run(*command, cwd=None) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"durable-rules wheel: {' '.join(map(str, command[:4]))} failed:\n{done.stderr[-2000:]}")


def build(cache: Path) -> Path:
    tag = sysconfig.get_config_var("SOABI") or f"py{sys.version_info.major}{sys.version_info.minor}"
    cache.mkdir(parents=True, exist_ok=True)
    pattern = f"durable_rules-{VERSION}+closeness1-cp{sys.version_info.major}{sys.version_info.minor}-*.whl"
    found = sorted(cache.glob(pattern))
    if found:
        return found[-1]
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        _run(
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"durable-rules=={VERSION}",
            "-d",
            str(work),
        )
        sdist = work / SDIST
        if hashlib.sha256(sdist.read_bytes()).hexdigest() != SDIST_SHA256:
            sys.exit(f"durable-rules wheel: {SDIST} does not match the published hash; not building it")
        with tarfile.open(sdist) as archive:
            archive.extractall(work, filter="data")
        source = work / f"durable_rules-{VERSION}"
        if shutil.which("patch"):
            _run("patch", "-p1", "--forward", "--quiet", "-i", str(PATCH), cwd=source)
        else:
            _run("git", "apply", "-p1", str(PATCH), cwd=source)
        _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(cache), str(source))
    built = sorted(cache.glob(pattern))
    if not built:
        sys.exit(f"durable-rules wheel: no wheel was built for {tag}")
    return built[-1]


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".cache" / "wheels"))
