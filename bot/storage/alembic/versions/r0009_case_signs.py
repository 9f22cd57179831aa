"""Triage: the signs that raised a case's level (their names, never the person's words)

Carried over from the bot's numbered migration 9 (PRAGMA user_version = 9 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.add_column("cases", sa.Column("signs", sa.Text(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("signs")
