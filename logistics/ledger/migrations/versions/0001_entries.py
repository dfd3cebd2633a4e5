"""The append-only ``entries`` table of the delivery ledger.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Every entry (a dispatched plan, a stop's outcome, a correction) is one row, chained to the
one before by ``prev_hash``; ``hash`` covers the row's content and ``prev_hash``. The
database refuses UPDATE and DELETE on the table (triggers) so nothing is changed by
accident; a deliberate change by someone with direct database access is caught by
``senkata ledger verify``, which recomputes the chain.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = [
    """CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
    """CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
       BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END""",
]
_PG_TRIGGERS = [
    """CREATE FUNCTION senkata_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$""",
    """CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
       FOR EACH ROW EXECUTE FUNCTION senkata_entries_append_only()""",
    """CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
       FOR EACH STATEMENT EXECUTE FUNCTION senkata_entries_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("plan_id", sa.String(32), nullable=False),
        sa.Column("truck", sa.String(64), nullable=True),
        sa.Column("trip", sa.Integer(), nullable=True),
        sa.Column("stop_no", sa.Integer(), nullable=True),
        sa.Column("point_id", sa.String(128), nullable=True),
        sa.Column("delivered", sa.Integer(), nullable=True),
        sa.Column("returned", sa.Integer(), nullable=True),
        sa.Column("refused", sa.Integer(), nullable=True),
        sa.Column("signed_by", sa.String(200), nullable=True),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("corrects", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_entries"),
        sa.ForeignKeyConstraint(["corrects"], ["entries.id"], name="fk_entries_corrects"),
        # two writers appending after the same entry would fork the chain: refuse it
        sa.UniqueConstraint("prev_hash", name="uq_entries_prev_hash"),
        sa.UniqueConstraint("hash", name="uq_entries_hash"),
    )
    op.create_index("ix_entries_plan_id", "entries", ["plan_id"])
    triggers = _PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for sql in triggers:
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE entries")
        op.execute("DROP FUNCTION senkata_entries_append_only()")
    else:
        op.drop_table("entries")
