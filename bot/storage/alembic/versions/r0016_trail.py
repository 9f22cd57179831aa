"""The trail of a private chat: which messages are in it (ids and times, never their text), so the
person's "hide" can delete them while Telegram allows it (48 hours)

New with issue 24 (quick hide).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.create_table(
        "trail",
        sa.Column("chat_id", BIG, primary_key=True),
        sa.Column("message_id", BIG, primary_key=True),
        sa.Column("at", sa.Text(), nullable=False),
    )
    op.create_index("trail_at", "trail", ["at"])


def downgrade() -> None:
    op.drop_index("trail_at", "trail")
    op.drop_table("trail")
