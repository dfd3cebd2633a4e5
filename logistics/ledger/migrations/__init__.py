"""Alembic migrations of the delivery ledger (run by :class:`logistics.ledger.Ledger` on open)."""
