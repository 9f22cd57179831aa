"""A day's activity carries the person's language and countries, so a period's breakdowns count the
people active in it (not everyone who ever came)

New with issue 23 (figures a donor accepts). Rows written before stay "unknown" in the breakdowns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = ("language", "citizenship", "destination")


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("activity", sa.Column(column, sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("activity") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
