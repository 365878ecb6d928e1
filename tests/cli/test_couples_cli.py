"""`closeness couples`: pairs in the configured database, from the command line, as a user runs it."""

import json
import os
import re

from service.core.sealing import new_key
from tests.commands import closeness


def _env(tmp_path, key=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOSENESS_")}
    env["CLOSENESS_DATABASE_URL"] = f"sqlite:///{tmp_path / 'couples.sqlite3'}"
    if key is not False:
        env["CLOSENESS_DATA_KEY"] = key or new_key()
    return env


def test_create_list_show_void_and_erase(tmp_path):
    env = _env(tmp_path)
    created = closeness(
        "couples", "create", "--label", "Room 3", "--base-url", "https://clinic.example/", env=env
    )
    assert created.returncode == 0, created.stderr
    invites = re.findall(r"https://clinic\.example/form#invite=([A-Za-z0-9_-]{43})", created.stdout)
    assert len(set(invites)) == 2 and "#token=" in created.stdout
    pair_id = re.search(r"pair ([0-9a-f]{32})", created.stdout).group(1)
    assert closeness("couples", "list", env=env).stdout.startswith(pair_id)
    shown = json.loads(closeness("couples", "show", pair_id, env=env).stdout)
    assert shown["label"] == "Room 3" and shown["status"] == "waiting" and shown["joint"] is None
    voided = closeness("couples", "void", pair_id, "b", env=env)
    assert voided.returncode == 0 and "#invite=" in voided.stdout and invites[1] not in voided.stdout
    assert closeness("couples", "erase", pair_id, env=env).returncode == 0
    again = closeness("couples", "erase", pair_id, env=env)
    assert (
        again.returncode == 2 and again.stderr == "closeness: no such pair (erased, or past its retention)\n"
    )
    assert os.stat(tmp_path / "couples.sqlite3").st_mode & 0o777 == 0o600


def test_without_a_key_or_with_a_bad_one_it_says_how_to_make_one(tmp_path):
    missing = closeness("couples", "list", env=_env(tmp_path, key=False))
    assert missing.returncode == 2 and "make one with" in missing.stderr and "Traceback" not in missing.stderr
    bad = closeness("couples", "list", env=_env(tmp_path, key="not-a-key"))
    assert bad.returncode == 2 and "CLOSENESS_DATA_KEY has an invalid value" in bad.stderr
    assert "not-a-key" not in bad.stderr
    key = closeness("couples", "key", env=_env(tmp_path, key=False)).stdout.strip()
    assert closeness("couples", "list", env=_env(tmp_path, key=key)).returncode == 0


def test_a_bad_pair_id_is_one_line(tmp_path):
    shown = closeness("couples", "show", "../../etc", env=_env(tmp_path))
    assert shown.returncode == 2 and shown.stderr.count("\n") == 1 and "32 hex digits" in shown.stderr
