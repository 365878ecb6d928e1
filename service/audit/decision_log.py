"""The decision log: one record per decision (no answers unless allowed), in SQLite or PostgreSQL.

A failed write never costs the client its answer: the decision is returned without an id, the failure
is logged (without answers), counted in a metric and shown by /readyz as "degraded".
"""

import json
import logging
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import JSON, Boolean, Column, DateTime, MetaData, String, Table, create_engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

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
    Column("channel", String(16), nullable=True),  # json, fhir or cds-hooks
)
CHANNELS = ("json", "fhir", "cds-hooks")


def migrate(url: str) -> None:
    """Bring the log's database to the newest schema (Alembic migrations shipped in the package)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    command.upgrade(config, "head")


def _engine(url: str):
    sqlite_path = make_url(url).database if url.startswith("sqlite") else None
    if sqlite_path and sqlite_path != ":memory:":
        Path(sqlite_path).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"connect_timeout": 3} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _row(row) -> dict:
    return {
        "id": row.id,
        "created_at": row.created_at.astimezone(UTC).isoformat()
        if row.created_at.tzinfo
        else row.created_at.replace(tzinfo=UTC).isoformat(),
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


class DecisionLog:
    """Writes and reads decision records; keeps track of whether writing works."""

    PRUNE_EVERY = 3600  # seconds between retention passes

    def __init__(self, url: str, store_answers: bool = False, retention_days: int | None = None):
        self.url, self.store_answers = url, store_answers
        self.engine = _engine(url)
        self.healthy, self.last_failure = True, None
        self._lock = threading.Lock()
        self.retention = timedelta(days=retention_days) if retention_days else None
        self._pruned_at: float | None = None

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

    def record(self, result: dict, answers: dict, request_id: str, channel: str = "json") -> str | None:
        """Store one decision; its id, or None when the write failed (the client still gets its answer)."""
        decision_id = uuid.uuid4().hex
        row = {
            "id": decision_id,
            "created_at": datetime.now(UTC),
            "ruleset_version": result["ruleset"]["version"],
            "ruleset_digest": result["ruleset"]["digest"],
            "recommendation": result["recommendation"],
            "urgent": result["urgent"],
            "fired_rules": [reason["rule"] for reason in result["reasons"]],
            "questionnaire": result["questionnaire"]["id"],
            "safety": result["safety"],
            "reasons": [{"rule": r["rule"], "basis": r["basis"]} for r in result["reasons"]],
            "channel": channel,
            "request_id": request_id,
            "answers": answers if self.store_answers else None,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(decisions.insert(), row)
        except SQLAlchemyError as error:
            with self._lock:
                self.healthy, self.last_failure = False, time.time()
            # The error's class only: its text can contain the statement's parameters (the answers).
            log.error("decision log write failed: %s", type(error).__name__, extra={"request_id": request_id})
            return None
        if not self.healthy:
            with self._lock:
                self.healthy = True
        self.apply_retention()
        return decision_id

    def get(self, decision_id: str) -> dict | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(decisions).where(decisions.c.id == decision_id)).first()
        return _row(row) if row else None

    def since(
        self, start: datetime, end: datetime | None = None, limit: int = 1000, after: tuple | None = None
    ) -> list[dict]:
        """Decisions from start (to end), oldest first; after (created_at, id): the page after that one."""
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

    def erase(self, decision_id: str) -> bool:
        """Delete one decision's record; whether there was one."""
        with self.engine.begin() as connection:
            return connection.execute(decisions.delete().where(decisions.c.id == decision_id)).rowcount > 0

    def prune(self, before: datetime) -> int:
        """Delete every record made before a moment; how many went."""
        with self.engine.begin() as connection:
            return connection.execute(decisions.delete().where(decisions.c.created_at < before)).rowcount

    def stats(self, start: datetime, end: datetime | None = None) -> dict:
        """How often each outcome was given and each rule was reported, over a period."""
        query = select(decisions.c.recommendation, decisions.c.urgent, decisions.c.fired_rules)
        query = query.where(decisions.c.created_at >= start)
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
