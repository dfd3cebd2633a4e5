"""The delivery ledger: what was dispatched, delivered, returned and refused.

``health`` tells a ledger from a typo and a damaged database (the backend's integrity
check); ``store`` is the append-only, hash-chained store (SQLAlchemy; SQLite or PostgreSQL;
schema by the Alembic ``migrations``) and the commands that write to it; ``reconcile``
compares what was loaded with what the guards signed, per truck, district and shift, and
flags the gaps. ``plans`` keeps the plan library (scenario versions, plans) and the
desks' drafts in the same database.
"""

from __future__ import annotations

from logistics.ledger.health import DamagedLedgerError
from logistics.ledger.plans import PlanRecord, PlanStore
from logistics.ledger.reconcile import (
    FLAG_KINDS,
    REPORT_COLUMNS,
    Flag,
    Reconciliation,
    StopOutcome,
    Totals,
    outcomes,
    reconcile,
    write_report,
)
from logistics.ledger.store import (
    DEFAULT_URL,
    ENV_URL,
    GENESIS,
    HASHED,
    KINDS,
    MIGRATIONS,
    TEST_PAUSE_ENV,
    Base,
    Entry,
    Ledger,
    VerifyReport,
    correct,
    dispatch,
    entry_hash,
    record_sheet,
    record_stops,
    recorded_by_default,
    resolve_url,
)

__all__ = [
    "DEFAULT_URL",
    "ENV_URL",
    "FLAG_KINDS",
    "GENESIS",
    "HASHED",
    "KINDS",
    "MIGRATIONS",
    "REPORT_COLUMNS",
    "TEST_PAUSE_ENV",
    "Base",
    "DamagedLedgerError",
    "Entry",
    "Flag",
    "Ledger",
    "PlanRecord",
    "PlanStore",
    "Reconciliation",
    "StopOutcome",
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
