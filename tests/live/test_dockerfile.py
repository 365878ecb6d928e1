"""The image: the Dockerfile's promises, and (tests/live/test_image.py) the image built and run."""

from pathlib import Path

DOCKERFILE = (Path(__file__).resolve().parents[2] / "Dockerfile").read_text()


def test_two_stages_on_a_base_given_as_a_build_argument():
    assert "ARG BASE=docker.io/library/python:3.11-slim-bookworm" in DOCKERFILE
    stages = [line for line in DOCKERFILE.splitlines() if line.startswith("FROM ")]
    assert stages == ["FROM ${BASE} AS build", "FROM ${BASE}"]


def test_runs_closeness_serve_as_a_non_root_user_with_a_healthcheck():
    assert "\nUSER closeness\n" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE and "/livez" in DOCKERFILE
    assert 'CMD ["closeness", "serve"]' in DOCKERFILE  # on 127.0.0.1 unless CLOSENESS_HOST says otherwise
    assert "0.0.0.0" not in DOCKERFILE.replace("CLOSENESS_HOST=0.0.0.0 knowingly", "")


def test_no_machine_configuration_is_copied_into_the_image():
    assert "pip.conf" not in DOCKERFILE and "ca-certificates.crt" not in DOCKERFILE
