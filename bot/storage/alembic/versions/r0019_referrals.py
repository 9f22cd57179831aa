"""Referral across borders: a case referred to a partner team with the person's consent, and the team it
came from

New with issue 24 (referral).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None
BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("cases", sa.Column("referred_from", sa.Text()))
    op.create_table(
        "referrals",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("case_id", BIG, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_team", sa.Text(), nullable=False),
        sa.Column("to_team", sa.Text(), nullable=False),
        sa.Column("by_id", BIG, nullable=False),
        sa.Column("by_name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("from_chat", BIG),
        sa.Column("from_thread", BIG),
        sa.Column("shared", sa.Text()),
        sa.Column("asked_at", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.Text()),
    )
    op.create_index("referrals_case", "referrals", ["case_id", "status"])


def downgrade() -> None:
    op.drop_index("referrals_case", "referrals")
    op.drop_table("referrals")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("referred_from")
