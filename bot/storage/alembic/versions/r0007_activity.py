"""Who was active on which day (by the same keyed hash), and the weekly digests sent

Carried over from the bot's numbered migration 7 (PRAGMA user_version = 7 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.create_table(
        "activity",
        sa.Column("day", sa.Text(), primary_key=True),
        sa.Column("actor", sa.Text(), primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_index("activity_actor", "activity", ["actor"])
    op.drop_index("events_at", "events")
    op.create_index("events_at_kind", "events", ["at", "kind", "detail"])  # covers the figures' count by kind and detail
    op.create_table(
        "digests",
        sa.Column("admin_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("week", sa.Text(), primary_key=True),
        sa.Column("sent_at", sa.Text(), nullable=False),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("digests")
    op.drop_index("events_at_kind", "events")
    op.create_index("events_at", "events", ["at"])
    op.drop_table("activity")
