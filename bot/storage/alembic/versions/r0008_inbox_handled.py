"""Durable intake: a handled update keeps its id (not its payload) for a day

Carried over from the bot's numbered migration 8 (PRAGMA user_version = 8 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.add_column("inbox", sa.Column("handled_at", sa.Text()))
    unhandled = sa.text("handled_at IS NULL")
    op.create_index("inbox_unhandled", "inbox", ["update_id"], sqlite_where=unhandled, postgresql_where=unhandled)


def downgrade() -> None:
    op.drop_index("inbox_unhandled", "inbox")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("handled_at")
