"""Several instances: their heartbeats, the leases of once-only jobs, and who holds each claim

New with issue 20 (several bot processes on one PostgreSQL database).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("claimed_by", sa.Text()))
    op.add_column("inbox", sa.Column("holder", sa.Text()))
    op.add_column("reminders", sa.Column("holder", sa.Text()))
    op.add_column("broadcast_recipients", sa.Column("holder", sa.Text()))
    op.create_table(
        "instances",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("incarnation", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.Text(), nullable=False),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("holder", sa.Text(), nullable=False),
        sa.Column("until", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leases")
    op.drop_table("instances")
    for table, column in (("broadcast_recipients", "holder"), ("reminders", "holder"), ("inbox", "holder"), ("outbox", "claimed_by")):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
