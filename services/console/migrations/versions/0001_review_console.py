"""The review console: agents, drafted cases, incident groups, actions.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("username", sa.String(128), primary_key=True),
        sa.Column("team", sa.String(128), nullable=False, index=True),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("ticket_id", sa.String(256), primary_key=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("account_id", sa.String(256), nullable=True, index=True),
        sa.Column("requester_email", sa.String(512), nullable=False),
        sa.Column("decision_class", sa.String(64), nullable=False),
        sa.Column("cause", sa.String(128), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("queue", sa.String(128), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("priority", sa.String(32), nullable=False),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("incident_id", sa.String(256), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("case_json", sa.Text(), nullable=False),
    )
    # the queue page groups a team's open cases by queue; a queue lists them oldest first
    op.create_index(
        "ix_cases_team_status_queue_received", "cases", ["team", "status", "queue", "received_at"]
    )
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.String(256), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("group_json", sa.Text(), nullable=False),
    )
    op.create_table(
        "actions",
        sa.Column("event_id", sa.String(512), primary_key=True),
        sa.Column("ticket_id", sa.String(256), sa.ForeignKey("cases.ticket_id"), nullable=False, index=True),
        sa.Column("case_revision", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("agent", sa.String(128), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True, index=True),
        sa.Column("resolved_json", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("actions")
    op.drop_table("incidents")
    op.drop_index("ix_cases_team_status_queue_received", table_name="cases")
    op.drop_table("cases")
    op.drop_table("agents")
