"""Usage events for the figures: what happened, never what anyone wrote; the hash key in meta

Carried over from the bot's numbered migration 5 (PRAGMA user_version = 5 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text()),
        sa.Column("language", sa.Text()),
        sa.Column("citizenship", sa.Text()),
        sa.Column("destination", sa.Text()),
        sa.Column("actor", sa.Text(), nullable=False),
    )
    op.create_index("events_at", "events", ["at"])
    op.create_index("events_actor", "events", ["actor"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("meta")
