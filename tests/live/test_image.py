"""The image built with buildah on a base made from Debian's packages, and its command run inside it as
its non-root user: /livez and a POST answer (deploy/image/build.sh, also `make image`)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_image_builds_and_serves_as_its_user():
    if not (shutil.which("buildah") and shutil.which("debootstrap")) or os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the image test needs root, buildah and debootstrap (make image-tools installs them)")
        pytest.skip("buildah, debootstrap or root not available")
    run = subprocess.run(
        ["bash", str(ROOT / "deploy" / "image" / "build.sh")],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "IMAGE": "localhost/closeness:test"},
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "image: user closeness (uid 10001), /livez 200, POST 200 rebuild" in run.stdout
