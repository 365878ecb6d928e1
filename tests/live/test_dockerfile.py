"""The Dockerfile's promises (no Docker engine runs here, so they are checked as text)."""

from pathlib import Path

DOCKERFILE = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()


def test_multi_stage_with_pinned_python_311():
    stages = [line for line in DOCKERFILE.splitlines() if line.startswith("FROM ")]
    assert len(stages) == 2 and all("python:3.11" in line for line in stages)


def test_runs_gunicorn_as_a_non_root_user_with_a_healthcheck():
    assert "\nUSER closeness\n" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE and "/livez" in DOCKERFILE
    assert '"gunicorn"' in DOCKERFILE and "service:create_app()" in DOCKERFILE
