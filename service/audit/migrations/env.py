"""Alembic environment: the URL comes from the caller (decision_log.migrate), never from a file."""

from alembic import context
from sqlalchemy import create_engine

from service.audit.decision_log import POSTGRESQL_CONNECT, metadata

url = context.config.attributes["url"]
# A database that does not answer fails the migration in seconds instead of holding the start.
engine = create_engine(
    url, connect_args=POSTGRESQL_CONNECT if url.startswith("postgresql") else {"timeout": 5}
)
with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        # Several instances may start at once: one migrates, the others wait and then find nothing to do.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
    context.configure(connection=connection, target_metadata=metadata)
    context.run_migrations()
engine.dispose()
