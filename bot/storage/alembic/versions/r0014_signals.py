"""Signals between instances: what one asked all the others to do (an admin's /reload)

New with issue 22 (content reloaded without a restart, on every instance).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signals",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("sender", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("signals")
