"""The decision spool: appends on the request path, ships in the background, never loses what it took."""

import os
import subprocess
import sys
import textwrap
import threading
import time

import orjson
import pytest

from service.audit import spool as spool_module
from service.audit.spool import Spool, drain


class Database:
    """A stand-in database for the spool's ship/probe calls: a list, and a switch to make it fail."""

    def __init__(self):
        self.rows, self.down, self.calls = [], False, 0
        self.lock = threading.Lock()

    def ship(self, records):
        self.calls += 1
        if self.down:
            raise ConnectionError("down")
        with self.lock:
            self.rows += [orjson.loads(r)["id"] for r in records]

    def probe(self):
        if self.down:
            raise ConnectionError("down")


def _wait(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def _killed_writer(folder, count: int, prefix: str) -> None:
    """A process that appends `count` decisions (ids: prefix + hex) to a spool whose database never
    answers, then is killed."""
    child = textwrap.dedent(
        f"""
        import os
        from service.audit.spool import Spool
        def never(records):
            raise ConnectionError("down")
        spool = Spool({str(folder)!r}, never, lambda: None, 1 << 20)
        for n in range({count}):
            spool.append({{"id": {prefix!r} + "%0{32 - len(prefix)}x" % n}})
        os.kill(os.getpid(), 9)
        """
    )
    assert subprocess.run([sys.executable, "-c", child]).returncode == -9


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(spool_module, "BACKOFF", (0.05,))
    monkeypatch.setattr(spool_module, "ADOPT_EVERY", 0.1)


def test_records_reach_the_database_in_order(tmp_path, fast):
    database = Database()
    spool = Spool(tmp_path, database.ship, database.probe, 1 << 20)
    ids = [f"{n:032x}" for n in range(300)]
    for decision_id in ids:
        assert spool.append({"id": decision_id})
    assert spool.flush() and database.rows == ids
    assert spool.state() == {"spool": "ok", "database": "ok", "backlog_bytes": 0, "dropped": 0}
    spool.close()
    assert not list(tmp_path.iterdir())  # a clean stop leaves nothing behind


def test_an_outage_keeps_everything_and_the_backlog_drains_by_itself(tmp_path, fast):
    database, failures = Database(), []
    database.down = True
    spool = Spool(tmp_path, database.ship, database.probe, 1 << 20, lambda: failures.append(1))
    ids = [f"{n:032x}" for n in range(50)]
    for decision_id in ids:
        assert spool.append({"id": decision_id})  # the request never waits on the database
    assert _wait(lambda: spool.state()["database"] == "unreachable")
    assert failures and spool.state()["backlog_bytes"] > 0 and database.rows == []
    database.down = False
    assert spool.flush() and database.rows == ids
    assert spool.state()["database"] == "ok"
    spool.close()


def test_a_full_spool_drops_counts_and_says_so(tmp_path, fast):
    database = Database()
    database.down = True
    spool = Spool(tmp_path, database.ship, database.probe, 400)
    taken = [spool.append({"id": f"{n:032x}", "pad": "x" * 40}) for n in range(10)]
    assert taken[:3] == [True] * 3 and taken[-1] is False
    state = spool.state()
    assert state["spool"] == "full" and state["dropped"] == taken.count(False)
    database.down = False
    assert spool.flush() and len(database.rows) == taken.count(True)
    assert spool.append({"id": "f" * 32})  # room again once shipped
    assert spool.flush() and spool.state()["spool"] == "ok"
    spool.close()


def test_a_dead_process_segment_is_adopted_and_shipped(tmp_path, fast):
    _killed_writer(tmp_path, 40, "")  # takes 40 decisions, killed before it could ship any
    assert len(list(tmp_path.glob("*.spool"))) == 1
    database = Database()
    spool = Spool(tmp_path, database.ship, database.probe, 1 << 20)
    assert _wait(lambda: len(database.rows) == 40)
    assert database.rows == [f"{n:032x}" for n in range(40)]
    assert _wait(lambda: len(list(tmp_path.glob("*.spool"))) == 1)  # only the live process's own
    spool.close()


def test_serve_drains_what_a_previous_run_left_before_workers_start(tmp_path):
    segment = tmp_path / f"1-1{spool_module.SEGMENT_SUFFIX}"
    segment.write_bytes(
        b"".join(orjson.dumps({"id": f"{n:032x}"}) + b"\n" for n in range(5)) + b'{"id": "tor'
    )
    shipped = tmp_path / "shipped.txt"  # drain ships from a child process: what it sent, on disk

    def ship(records):
        with open(shipped, "a") as out:
            out.writelines(orjson.loads(r)["id"] + "\n" for r in records)

    assert drain(tmp_path, ship) == 0
    assert shipped.read_text().split() == [f"{n:032x}" for n in range(5)]  # a torn last line is no record
    assert not segment.exists()


def test_a_live_process_segment_is_never_taken(tmp_path, fast):
    database_a, database_b = Database(), Database()
    database_a.down = True
    first = Spool(tmp_path, database_a.ship, database_a.probe, 1 << 20)
    first.append({"id": "a" * 32})
    second = Spool(tmp_path, database_b.ship, database_b.probe, 1 << 20)
    assert _wait(lambda: second.state()["backlog_bytes"] > 0)  # counted as waiting elsewhere ...
    assert database_b.rows == []  # ... but left to its owner
    database_a.down = False
    assert first.flush() and database_a.rows == ["a" * 32]
    for spool in (first, second):
        spool.close()


def test_records_survive_the_writer_being_killed_right_after_append(tmp_path):
    _killed_writer(tmp_path, 1, "b" * 31)
    (segment,) = tmp_path.glob("*.spool")
    assert orjson.loads(segment.read_bytes()) == {"id": "b" * 31 + "0"}
    assert os.stat(segment).st_mode & 0o777 == 0o600  # the spool can hold answers: owner only


def test_a_deleted_segment_is_reported(tmp_path, fast):
    database = Database()
    spool = Spool(tmp_path, database.ship, database.probe, 1 << 20)
    assert spool.state()["spool"] == "ok"
    spool.segment.unlink()  # a temp cleaner
    assert spool.state()["spool"] == "gone"
    spool.close()


def test_under_constant_appends_segments_rotate_and_dead_ones_are_still_adopted(tmp_path, fast, monkeypatch):
    monkeypatch.setattr(spool_module, "SEGMENT_BYTES", 2000)
    _killed_writer(tmp_path, 30, "d")
    database = Database()
    spool = Spool(tmp_path, database.ship, database.probe, 1 << 20)
    mine = [f"{n:032x}" for n in range(400)]
    for decision_id in mine:  # never a quiet moment: adoption and rotation must not wait for one
        assert spool.append({"id": decision_id, "pad": "x" * 30})
        time.sleep(0.002)
    assert spool.flush() and _wait(lambda: len(database.rows) == 430)
    assert sorted(database.rows) == sorted(mine + [f"d{n:031x}" for n in range(30)])
    assert _wait(lambda: len(list(tmp_path.glob("*.spool"))) == 1)  # rotated segments shipped and removed
    spool.close()


def test_a_record_the_database_refuses_is_set_aside_and_the_rest_go_on(tmp_path, fast, monkeypatch):
    monkeypatch.setattr(spool_module, "REFUSED_ALONE", 2)
    database = Database()
    original = database.ship

    def picky(records):  # the database answers, but refuses one record, whatever batch it comes in
        if any(b"poison" in r for r in records):
            raise ValueError("refused")
        original(records)

    spool = Spool(tmp_path, picky, database.probe, 1 << 20)
    for n in range(20):
        spool.append({"id": f"{n:032x}", **({"poison": True} if n == 7 else {})})
    assert spool.flush() and len(database.rows) == 19 and f"{7:032x}" not in database.rows
    assert spool.dead_letters == 1
    assert b"poison" in (tmp_path / spool_module.DEAD_LETTERS).read_bytes()
    spool.close()
