"""Escalation to consultants: cases, their messages, notes and posts, the audit log, the outbox, the inbox

Carried over from the bot's numbered migration 2 (PRAGMA user_version = 2 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    _cases()
    _case_children()
    _audit_outbox_inbox()


def _cases() -> None:
    op.create_table(
        "cases",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("user_id", BIG),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("answers", sa.Text()),
        sa.Column("description", sa.Text()),
        sa.Column("destination", sa.Text()),
        sa.Column("citizenship", sa.Text()),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("username", sa.Text()),
        sa.Column("team", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, server_default=sa.text("'new'")),
        sa.Column("consultant_id", BIG),
        sa.Column("consultant_name", sa.Text()),
        sa.Column("outcome", sa.Text()),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("taken_at", sa.Text()),
        sa.Column("closed_at", sa.Text()),
        sa.Column("waiting_since", sa.Text(), nullable=False),
        sa.Column("last_alert_at", sa.Text()),
        sa.Column("alerts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("hotlines_sent_at", sa.Text()),
        sa.Column("purged_at", sa.Text()),
        sqlite_autoincrement=True,
    )
    op.create_index("cases_status", "cases", ["status", "waiting_since"])
    op.create_index("cases_user", "cases", ["user_id", "status"])


def _case_children() -> None:
    op.create_table(
        "case_messages",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("case_id", BIG, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", sa.Text()),
        sa.Column("chat_id", BIG, nullable=False),
        sa.Column("message_id", BIG, nullable=False),
        sa.Column("author_id", BIG),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.UniqueConstraint("chat_id", "message_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("case_messages_case", "case_messages", ["case_id", "id"])
    op.create_table(
        "case_notes",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("case_id", BIG, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", BIG, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "case_posts",
        sa.Column("chat_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("message_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("case_id", BIG, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
    )
    op.create_index("case_posts_case", "case_posts", ["case_id", "kind"])
    op.create_table(
        "consultant_active",
        sa.Column("consultant_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("case_id", BIG, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    )


def _audit_outbox_inbox() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("actor_id", BIG),
        sa.Column("case_id", BIG),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text()),
        sqlite_autoincrement=True,
    )
    op.create_index("audit_log_case", "audit_log", ["case_id"])
    op.create_table(
        "outbox",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("chat_id", BIG, nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("case_id", BIG),
        sa.Column("track", sa.Text()),
        sa.Column("source_id", BIG),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("not_before", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("claimed_until", sa.Text()),
        sa.Column("last_error", sa.Text()),
        sqlite_autoincrement=True,
    )
    op.create_index("outbox_due", "outbox", ["not_before"])
    op.create_table(
        "inbox",
        sa.Column("update_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    for table in ("inbox", "outbox", "audit_log", "consultant_active", "case_posts", "case_notes", "case_messages", "cases"):
        op.drop_table(table)
