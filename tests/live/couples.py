"""Couple mode apps on a real database (a fresh SQLite file or a fresh PostgreSQL database per test)."""

import uuid

import psycopg
import pytest
from sqlalchemy import create_engine, text

from service import create_app
from service.core.sealing import new_key

API_KEY = "practice-key-4711"
PRACTICE = {"X-API-Key": API_KEY}
APPS = []


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A fresh, empty database: SQLite in the test's folder, or a new database on the module's PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'closeness.sqlite3'}"
        _close_apps()
        return
    pg = request.getfixturevalue("pg")
    name = "couples_" + uuid.uuid4().hex[:12]
    admin = f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield f"postgresql+psycopg://postgres@127.0.0.1:{pg.port}/{name}"
    _close_apps()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _close_apps():
    while APPS:
        built = APPS.pop().extensions["closeness"]
        built.joint_queue.wait(5)
        built.couples.store.engine.dispose()
        if built.decision_log is not None:
            built.decision_log.close(timeout=0.2)
            built.decision_log.engine.dispose()


def couple_app(url, key: str | None = None, **settings):
    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "API_KEY": API_KEY, "DATA_KEY": key or new_key(), **settings}
    )
    APPS.append(app)
    return app


def bearer(code: str) -> dict:
    return {"Authorization": f"Bearer {code}"}


def create_pair(client, label="Room 3, Tuesday") -> dict:
    response = client.post("/v1/couples", json={"label": label}, headers=PRACTICE)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    created["codes"] = {role: created["invites"][role]["code"] for role in "ab"}
    created["token"] = created["report_url"].split("#token=", 1)[1]
    return created


def answer(client, code: str, answers: dict):
    # buffered: the response is closed as a WSGI server closes it, which queues the joint decision
    return client.post("/v1/couples/answers", json=answers, headers=bearer(code), buffered=True)


def settle(app) -> None:
    """Wait until the queued joint decisions are done."""
    assert app.extensions["closeness"].joint_queue.wait(10)


def raw_dump(url: str) -> bytes:
    """Every row of every table, as the database holds it (the bytes of sealed columns as they are)."""
    engine = create_engine(url)
    out = []
    try:
        with engine.connect() as connection:
            if url.startswith("sqlite"):
                tables = connection.execute(
                    text("SELECT name FROM sqlite_master WHERE type='table'")
                ).scalars()
            else:
                tables = connection.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
            for table in list(tables):
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    out.append(repr(tuple(row)).encode())
    finally:
        engine.dispose()
    return b"\n".join(out)
