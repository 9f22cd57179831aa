"""Broadcasts by admins and their recipients (each gets it at most once)

Carried over from the bot's numbered migration 6 (PRAGMA user_version = 6 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.create_table(
        "broadcasts",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("author_id", BIG, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.Text()),
        sa.Column("citizenship", sa.Text()),
        sa.Column("destination", sa.Text()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.Text()),
        sa.Column("progress_chat", BIG),
        sa.Column("progress_msg", BIG),
        sa.Column("finished_at", sa.Text()),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "broadcast_recipients",
        sa.Column("broadcast_id", BIG, sa.ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
        sa.Column("user_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'pending'")),
        sqlite_with_rowid=False,
    )
    op.create_index("broadcast_pending", "broadcast_recipients", ["broadcast_id", "status"])


def downgrade() -> None:
    op.drop_table("broadcast_recipients")
    op.drop_table("broadcasts")
