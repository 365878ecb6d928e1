"""The `closeness` command as a user runs it: a real subprocess, never a traceback expected."""

import subprocess
import sys


def closeness(*args, stdin: str = "", env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
