"""Alembic environment: the URL comes from the caller (decision_log.migrate), never from a file."""

from alembic import context
from sqlalchemy import create_engine

from service.audit.decision_log import metadata

url = context.config.attributes["url"]
engine = create_engine(url)
with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        # Several instances may start at once: one migrates, the others wait and then find nothing to do.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
    context.configure(connection=connection, target_metadata=metadata)
    context.run_migrations()
engine.dispose()
