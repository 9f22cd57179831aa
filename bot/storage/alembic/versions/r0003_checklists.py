"""Checklists and reminders: trip dates, ticks and item dates, reminders (sent once)

Carried over from the bot's numbered migration 3 (PRAGMA user_version = 3 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.create_table(
        "trips",
        sa.Column("user_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("departure", sa.Text()),
        sa.Column("arrival", sa.Text()),
        sa.Column("reminders", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.Column("updated_at", sa.Text(), nullable=False),
    )
    op.create_table(
        "checklist_marks",
        sa.Column("user_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("item", sa.Text(), primary_key=True),
        sa.Column("done_at", sa.Text()),
        sa.Column("day", sa.Text()),
        sa.Column("muted", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("paid", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "reminders",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("user_id", BIG, nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Text(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("due_at", BIG, nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'pending'")),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("claimed_at", BIG),
        sa.Column("sent_at", BIG),
        sa.UniqueConstraint("user_id", "item", "deadline", "days_before"),
    )
    pending, busy = sa.text("status = 'pending'"), sa.text("status IN ('claimed', 'sending')")
    op.create_index("reminders_due", "reminders", ["due_at"], sqlite_where=pending, postgresql_where=pending)
    op.create_index("reminders_busy", "reminders", ["status"], sqlite_where=busy, postgresql_where=busy)


def downgrade() -> None:
    for table in ("reminders", "checklist_marks", "trips"):
        op.drop_table(table)
