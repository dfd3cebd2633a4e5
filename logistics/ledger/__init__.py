"""The delivery ledger: what was dispatched, delivered, returned and refused.

``store`` is the append-only, hash-chained store (SQLAlchemy; SQLite or PostgreSQL; schema by
the Alembic ``migrations``) and the commands that write to it; ``reconcile`` compares what was
loaded with what the guards signed, per truck, district and shift, and flags the gaps.
"""

from __future__ import annotations

from logistics.ledger.reconcile import FLAG_KINDS, StopOutcome, Totals, Flag, Reconciliation, outcomes, reconcile, REPORT_COLUMNS, write_report
from logistics.ledger.store import ENV_URL, DEFAULT_URL, GENESIS, MIGRATIONS, TEST_PAUSE_ENV, KINDS, Base, Entry, HASHED, entry_hash, resolve_url, VerifyReport, Ledger, recorded_by_default, dispatch, record_stops, record_sheet, correct

__all__ = [
    "Base",
    "DEFAULT_URL",
    "ENV_URL",
    "Entry",
    "FLAG_KINDS",
    "Flag",
    "GENESIS",
    "HASHED",
    "KINDS",
    "Ledger",
    "MIGRATIONS",
    "REPORT_COLUMNS",
    "Reconciliation",
    "StopOutcome",
    "TEST_PAUSE_ENV",
    "Totals",
    "VerifyReport",
    "correct",
    "dispatch",
    "entry_hash",
    "outcomes",
    "reconcile",
    "record_sheet",
    "record_stops",
    "recorded_by_default",
    "resolve_url",
    "write_report",
]
