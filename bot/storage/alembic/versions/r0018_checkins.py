"""Safety check-ins: a person asked the bot to check on them; a check-in missed twice may open a case

New with issue 24 (check-ins).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("user_id", BIG, primary_key=True, autoincrement=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("zone", sa.Text(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("escalate", sa.Integer(), nullable=False),
        sa.Column("share", sa.Text(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("workplace", sa.Text()),
        sa.Column("next_at", sa.Text(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.Text()),
        sa.Column("case_id", BIG),
        sa.Column("created_at", sa.Text(), nullable=False),
    )
    op.create_index("checkins_next", "checkins", ["next_at"])


def downgrade() -> None:
    op.drop_index("checkins_next", "checkins")
    op.drop_table("checkins")
