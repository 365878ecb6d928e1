"""The decision log: one record per decision (no answers unless allowed), in SQLite or PostgreSQL.

Decisions reach the database through a local spool (service/audit/spool.py): the request only
appends to it, so a slow, frozen or stopped database never delays an answer, and a decision whose id
went out is in the database once it is reachable. Reads (the decisions API) wait at most
READ_TIMEOUT seconds for the database, then fail with DecisionLogUnavailable.
"""

import hashlib
import json
import logging
import os
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from service.audit.spool import Spool
from service.core.exceptions import DecisionLogUnavailable
from service.core.result import Result

log = logging.getLogger("closeness.decision_log")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

metadata = MetaData()
decisions = Table(
    "decisions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("ruleset_version", String(32), nullable=False),
    Column("ruleset_digest", String(71), nullable=False),
    Column("recommendation", String(32), nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("fired_rules", JSON, nullable=False),
    Column("request_id", String(128), nullable=False),
    Column("answers", JSON, nullable=True),
    Column("questionnaire", String(32), nullable=True),
    Column("safety", JSON, nullable=True),  # {urgent, noted, declined}: concern names, never answers
    Column("reasons", JSON, nullable=True),  # [{rule, basis}]
    Column("channel", String(16), nullable=True),  # json, fhir, cds-hooks or couple
    # Couple entries: the decision sealed (base64 of service/core/sealing.py's format), nothing in the clear.
    Column("sealed", Text, nullable=True),
)
erasures = Table(
    "erasures",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("erased_at", DateTime(timezone=True), nullable=False),
)
READ_TIMEOUT = 5.0  # seconds a read of the decisions API waits for the database
# PostgreSQL: give up connecting after 3 s, have the server end statements after 5 s, and notice a
# dead peer by TCP keepalives. (A frozen server still answers keepalives and never ends a statement:
# hence the spool for writes, and READ_TIMEOUT for reads.)
POSTGRESQL_CONNECT = {
    "connect_timeout": 3,
    "options": "-c statement_timeout=5000",
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}


# PostgreSQL: a batch of spooled records as one JSON array, turned into rows by the server.
INSERT_JSON_ROWS = text(
    "INSERT INTO decisions SELECT * FROM json_populate_recordset(NULL::decisions, CAST(:rows AS json)) "
    "ON CONFLICT (id) DO NOTHING"
)


def spool_directory(base: Path, url: str) -> Path:
    """One spool folder per database: instances sharing a database may share it, others never do."""
    safe = make_url(url).render_as_string(hide_password=True)
    return Path(base) / hashlib.sha256(safe.encode()).hexdigest()[:16]


def migrate(url: str) -> None:
    """Bring the log's database to the newest schema (Alembic migrations shipped in the package)."""
    from alembic import command
    from alembic.config import Config

    _private_sqlite(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    command.upgrade(config, "head")


def _private_sqlite(url: str) -> None:
    """A SQLite log's file is made private (0600) before SQLite opens it: it may hold answers.
    SQLite gives its journal and WAL files the database file's permissions."""
    sqlite_path = make_url(url).database if url.startswith("sqlite") else None
    if sqlite_path and sqlite_path != ":memory:":
        path = Path(sqlite_path)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        if path.stat().st_uid == os.getuid():
            path.chmod(0o600)


def _engine(url: str):
    _private_sqlite(url)
    connect_args = POSTGRESQL_CONNECT if url.startswith("postgresql") else {"timeout": 5}
    return create_engine(url, pool_pre_ping=True, pool_timeout=5, connect_args=connect_args)


def _row(row) -> dict:
    if row.sealed is not None:  # a couple entry: only its ruleset, time and channel are in the clear
        return {
            "id": row.id,
            "created_at": _utc(row.created_at),
            "ruleset": {"version": row.ruleset_version, "digest": row.ruleset_digest},
            "channel": row.channel,
            "sealed": True,
        }
    return {
        "id": row.id,
        "created_at": _utc(row.created_at),
        "ruleset": {"version": row.ruleset_version, "digest": row.ruleset_digest},
        "recommendation": row.recommendation,
        "urgent": row.urgent,
        "fired_rules": row.fired_rules,
        **({"questionnaire": row.questionnaire} if row.questionnaire else {}),
        **({"safety": row.safety} if row.safety is not None else {}),
        **({"reasons": row.reasons} if row.reasons is not None else {}),
        **({"channel": row.channel} if row.channel else {}),
        "request_id": row.request_id,
        **({"answers": row.answers} if row.answers is not None else {}),
    }


def _utc(moment: datetime) -> str:
    return (moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


class DecisionLog:
    """Writes decision records through a spool, reads them back, erases and prunes them."""

    PRUNE_EVERY = 3600  # seconds between retention passes (in the spool's shipper thread)

    def __init__(
        self,
        url: str,
        store_answers: bool = False,
        retention_days: int | None = None,
        spool_dir: Path | str | None = None,
        spool_max_bytes: int = 256 << 20,
        on_failure=lambda: None,
        migrate_first: bool = False,
    ):
        self.url, self.store_answers = url, store_answers
        self._migrate_first = migrate_first  # the tables may not exist yet: migrate at first contact
        self.engine = _engine(url)
        self.retention = timedelta(days=retention_days) if retention_days else None
        self._pruned_at: float | None = None
        self._reading = threading.BoundedSemaphore(2)
        self.spool = None
        if spool_dir is not None:  # the service writes; the command line only reads, erases and prunes
            self.spool = Spool(spool_dir, self.insert, self.probe, spool_max_bytes, on_failure)

    def apply_retention(self) -> int:
        """Delete what is older than the retention period (at most once an hour); how many went."""
        recent = self._pruned_at is not None and time.monotonic() - self._pruned_at < self.PRUNE_EVERY
        if self.retention is None or recent:
            return 0
        self._pruned_at = time.monotonic()
        try:
            return self.prune(datetime.now(UTC) - self.retention)
        except SQLAlchemyError as error:
            log.error("decision log retention pass failed: %s", type(error).__name__)
            return 0

    def record(self, result: Result, answers: dict, request_id: str, channel: str = "json") -> str | None:
        """Spool one decision; its id, or None when the spool is full (the client still gets its answer)."""
        decision_id = uuid.uuid4().hex
        row = {
            "id": decision_id,
            "created_at": datetime.now(UTC).isoformat(),
            "ruleset_version": result.ruleset.version,
            "ruleset_digest": result.ruleset.digest,
            "recommendation": result.recommendation,
            "urgent": result.urgent,
            "fired_rules": [reason.rule for reason in result.reasons],
            "questionnaire": result.questionnaire.id,
            "safety": {
                "urgent": list(result.safety.urgent),
                "noted": list(result.safety.noted),
                "declined": list(result.safety.declined),
            },
            "reasons": [{"rule": r.rule, "basis": r.basis} for r in result.reasons],
            "channel": channel,
            "request_id": request_id,
            "answers": answers if self.store_answers else None,
        }
        return decision_id if self.spool.append(row) else None

    def record_sealed(self, decision_id: str, ruleset, sealed_text: str) -> str | None:
        """Spool one couple entry: its ruleset, time and channel in the clear, and the decision sealed by
        the caller (bound to decision_id); the id, or None when the spool is full."""
        row = {
            "id": decision_id,
            "created_at": datetime.now(UTC).isoformat(),
            "ruleset_version": ruleset.version,
            "ruleset_digest": ruleset.digest,
            "recommendation": "",
            "urgent": False,
            "fired_rules": [],
            "questionnaire": None,
            "safety": None,
            "reasons": None,
            "channel": "couple",
            "request_id": "",
            "answers": None,
            "sealed": sealed_text,
        }
        return decision_id if self.spool.append(row) else None

    def insert(self, records: list[bytes]) -> None:
        """Write spooled records (JSON objects, as bytes): idempotent, so a record already there is left
        as it is, and an erased id stays erased. Then the retention pass, when it is due."""
        self._migrated()
        with self.engine.begin() as connection:
            if self.engine.dialect.name == "postgresql":
                # One parameter, parsed by the server: no per-row work in this process's Python.
                batch = (b"[" + b",".join(records) + b"]").decode()
                connection.execute(INSERT_JSON_ROWS, {"rows": batch})
            else:
                rows = [orjson.loads(record) for record in records]
                for row in rows:
                    row["created_at"] = datetime.fromisoformat(row["created_at"])
                statement = sqlite_insert(decisions).on_conflict_do_nothing(index_elements=["id"])
                connection.execute(statement, rows)
            # Erased ids stay erased (the erasures are few: a lookup by primary key each).
            connection.execute(decisions.delete().where(decisions.c.id.in_(select(erasures.c.id))))
        self.apply_retention()

    def _migrated(self) -> None:
        if self._migrate_first:
            migrate(self.url)
            self._migrate_first = False

    def probe(self) -> None:
        self._migrated()
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        self.apply_retention()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until this process's decisions are in the database (tests, and a clean stop)."""
        return self.spool is None or self.spool.flush(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Ship what is left within timeout, then stop; what could not go stays in the spool."""
        if self.spool is not None:
            self.spool.close(timeout)

    def _bounded(self, call, *args):
        """Run a read in a daemon thread, waiting at most READ_TIMEOUT: a hung database never holds a
        request (or the process's exit) longer than that, and never more than two reads wait on it."""
        if not self._reading.acquire(blocking=False):
            raise DecisionLogUnavailable()
        done, outcome = threading.Event(), {}

        def read():
            try:
                outcome["value"] = call(*args)
            except BaseException as error:  # noqa: BLE001 - handed to the caller
                outcome["error"] = error
            finally:
                self._reading.release()
                done.set()

        threading.Thread(target=read, name="closeness-log-read", daemon=True).start()
        if not done.wait(READ_TIMEOUT):
            raise DecisionLogUnavailable()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def get(self, decision_id: str) -> dict | None:
        """One decision's record, bounded in time; a decision just made may still be on its way: look
        again briefly."""
        found = self._bounded(self._get, decision_id)
        if found is None and self._catching_up():
            found = self._bounded(self._get, decision_id)
        return found

    def _catching_up(self) -> bool:
        """Give this process's spool a moment to go out (the database answering); whether it did."""
        if self.spool is None or not self.spool.backlog_bytes() or self.spool.database_ok is False:
            return False
        return self.spool.flush(2.0)

    def since(
        self, start: datetime, end: datetime | None = None, limit: int = 1000, after: tuple | None = None
    ) -> list[dict]:
        """Decisions from start (to end), oldest first; after (created_at, id): the page after that one.
        Bounded in time, once this process's spool has gone out (a short wait at most)."""
        self._catching_up()
        return self._bounded(self._since, start, end, limit, after)

    def erase(self, decision_id: str) -> bool:
        """Delete one decision's record; whether there was one. Bounded in time, once this process's
        spool has gone out; the id is remembered, so a copy still in a spool is dropped when it arrives."""
        self._catching_up()
        return self._bounded(self._erase, decision_id)

    def _get(self, decision_id: str) -> dict | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(decisions).where(decisions.c.id == decision_id)).first()
        return _row(row) if row else None

    def _since(self, start: datetime, end: datetime | None, limit: int, after: tuple | None) -> list[dict]:
        query = select(decisions).where(decisions.c.created_at >= start)
        if end is not None:
            query = query.where(decisions.c.created_at < end)
        if after is not None:
            moment, last_id = after
            query = query.where(
                (decisions.c.created_at > moment)
                | ((decisions.c.created_at == moment) & (decisions.c.id > last_id))
            )
        query = query.order_by(decisions.c.created_at, decisions.c.id).limit(limit)
        with self.engine.connect() as connection:
            return [_row(row) for row in connection.execute(query)]

    def _erase(self, decision_id: str) -> bool:
        with self.engine.begin() as connection:
            found = connection.execute(decisions.delete().where(decisions.c.id == decision_id)).rowcount > 0
            insert = postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
            statement = insert(erasures).on_conflict_do_nothing(index_elements=["id"])
            connection.execute(statement, {"id": decision_id, "erased_at": datetime.now(UTC)})
            return found

    def prune(self, before: datetime, batch: int = 5000) -> int:
        """Delete every record made before a moment (and erasures as old); how many records went.
        In batches, each its own short transaction: a large table never meets the statement timeout."""
        removed = 0
        with self.engine.begin() as connection:
            connection.execute(erasures.delete().where(erasures.c.erased_at < before))
        while True:
            oldest = select(decisions.c.id).where(decisions.c.created_at < before).limit(batch)
            with self.engine.begin() as connection:
                count = connection.execute(decisions.delete().where(decisions.c.id.in_(oldest))).rowcount
            removed += count
            if count < batch:
                return removed

    def stats(self, start: datetime, end: datetime | None = None) -> dict:
        """How often each outcome was given and each rule was reported, over a period."""
        query = select(decisions.c.recommendation, decisions.c.urgent, decisions.c.fired_rules)
        query = query.where(decisions.c.created_at >= start, decisions.c.sealed.is_(None))
        if end is not None:
            query = query.where(decisions.c.created_at < end)
        outcomes, rules, total = Counter(), Counter(), 0
        with self.engine.connect() as connection:
            for recommendation, urgent, fired in connection.execute(query):
                total += 1
                outcomes[recommendation + (" (urgent)" if urgent else "")] += 1
                rules.update(fired if isinstance(fired, list) else json.loads(fired))
        return {
            "decisions": total,
            "outcomes": dict(outcomes.most_common()),
            "rules": dict(rules.most_common()),
        }
