"""The plan library and the desks' drafts: ``scenario_versions``, ``plans``, ``drafts``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Kept beside the ledger's entries (see :mod:`logistics.ledger.plans`); these rows are not
append-only: a plan may be renamed, a draft is overwritten after each action.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenario_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("yaml", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scenario_versions"),
        sa.UniqueConstraint("sha256", name="uq_scenario_versions_sha256"),
    )
    op.create_index("ix_scenario_versions_digest", "scenario_versions", ["digest"])
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(32), nullable=False),
        sa.Column("scenario_version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("km", sa.Float(), nullable=False),
        sa.Column("trips", sa.Integer(), nullable=False),
        sa.Column("plan_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
        sa.ForeignKeyConstraint(
            ["scenario_version"], ["scenario_versions.id"], name="fk_plans_scenario_version"
        ),
    )
    op.create_index("ix_plans_plan_id", "plans", ["plan_id"])
    op.create_table(
        "drafts",
        sa.Column("desk", sa.String(64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("desk", name="pk_drafts"),
    )


def downgrade() -> None:
    op.drop_table("drafts")
    op.drop_table("plans")
    op.drop_index("ix_scenario_versions_digest", "scenario_versions")
    op.drop_table("scenario_versions")
