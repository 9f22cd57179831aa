"""Users and aiogram's FSM state

Carried over from the bot's numbered migration 1 (PRAGMA user_version = 1 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", BIG, primary_key=True, autoincrement=False),
        sa.Column("language", sa.Text()),
        sa.Column("telegram_language", sa.Text()),
        sa.Column("citizenship", sa.Text()),
        sa.Column("destination", sa.Text()),
        sa.Column("first_seen", sa.Text(), nullable=False),
        sa.Column("last_seen", sa.Text(), nullable=False),
        sa.Column("blocked", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.create_index("users_language", "users", ["language"])
    op.create_table(
        "fsm_state",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("user_id", BIG, nullable=False),
        sa.Column("chat_id", BIG, nullable=False),
        sa.Column("state", sa.Text()),
        sa.Column("data", sa.Text(), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("updated_at", sa.Text(), nullable=False),
    )
    op.create_index("fsm_state_user", "fsm_state", ["user_id"])


def downgrade() -> None:
    op.drop_table("fsm_state")
    op.drop_table("users")
