"""Alembic environment of the delivery ledger.

Run programmatically by :meth:`logistics.ledger.Ledger.open`, which passes an open
connection inside its transaction as ``config.attributes["connection"]``: the schema
upgrade commits or rolls back with it. Offline (SQL script) mode is not supported.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from logistics.ledger import plans as _plans  # noqa: F401 - its tables are in Base too
from logistics.ledger.store import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    msg = "the ledger migrations run through logistics.ledger (open a Ledger), not offline"
    raise RuntimeError(msg)

context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # Two desks opening a new ledger at once: one creates the tables, the other waits.
        connection.execute(text("SELECT pg_advisory_xact_lock(4711203)"))
    context.run_migrations()
