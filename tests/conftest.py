import atexit
import os
import shutil
import tempfile

import pytest
from hypothesis import HealthCheck, settings

from service import create_app
from service.core.decision import Evaluator
from service.core.rulebook import default_rules_dir, load_rulebook

# Property tests explore new examples on every local run; on CI (CI set) they replay a fixed set,
# so a landing is never refused by chance, and a slow shared machine never trips a timing check.
settings.register_profile(
    "closeness", derandomize=bool(os.environ.get("CI")), suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("closeness")

# Decision spools of every app and server the tests start go to one temporary folder, never the home's.
if not os.environ.get("CLOSENESS_DECISION_SPOOL_DIR"):
    os.environ["CLOSENESS_DECISION_SPOOL_DIR"] = tempfile.mkdtemp(prefix="closeness-test-spool-")
    atexit.register(shutil.rmtree, os.environ["CLOSENESS_DECISION_SPOOL_DIR"], True)


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook()


@pytest.fixture(scope="session")
def evaluator(rulebook):
    return Evaluator(rulebook)


@pytest.fixture
def baseline(rulebook):
    """Answers for a calm relationship (the rulebook's case baseline), a fresh copy each time."""
    return {
        key: list(value) if isinstance(value, list) else value
        for key, value in rulebook.case_baseline.items()
    }


@pytest.fixture(scope="session")
def app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def changed_rules(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    path = rules / "walk-away" / "walk-away-many-signs.yaml"
    path.write_text(path.read_text().replace("at_least: 3}", "at_least: 4}"))
    return rules
