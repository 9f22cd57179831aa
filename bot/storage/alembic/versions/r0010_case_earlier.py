"""A person back with a new case: the numbers of their earlier ones

Carried over from the bot's numbered migration 10 (PRAGMA user_version = 10 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.add_column("cases", sa.Column("earlier", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("earlier")
