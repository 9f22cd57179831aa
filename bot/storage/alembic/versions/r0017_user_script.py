"""The script a person reads Uzbek in: NULL (Latin, the content's) or "cyrl" (Cyrillic, transliterated
as it is sent)

New with issue 24 (Uzbek in Cyrillic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("script", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("script")
