"""The desk on forum topics: a case's topic, the boards, the consultants and their languages

Carried over from the bot's numbered migration 11 (PRAGMA user_version = 11 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.add_column("cases", sa.Column("topic_chat", BIG))
    op.add_column("cases", sa.Column("topic_id", BIG))
    op.create_index("cases_topic", "cases", ["topic_chat", "topic_id"])
    op.create_table(
        "boards",
        sa.Column("chat_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("message_id", BIG),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
    )
    op.create_table(
        "consultants",
        sa.Column("id", BIG, primary_key=True, autoincrement=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("username", sa.Text()),
        sa.Column("languages", sa.Text(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("seen_at", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("consultants")
    op.drop_table("boards")
    op.drop_index("cases_topic", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("topic_id")
        batch.drop_column("topic_chat")
