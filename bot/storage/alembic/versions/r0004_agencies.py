"""The licensed-agency registries, reports about agencies, and what a case is about (cases.subject)

Carried over from the bot's numbered migration 4 (PRAGMA user_version = 4 before Alembic).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # Telegram ids: BIGINT on PostgreSQL


def upgrade() -> None:
    op.create_table(
        "agency_snapshots",
        sa.Column("country", sa.Text(), primary_key=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_date", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text()),
        sa.Column("sample", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("rows", sa.Integer(), nullable=False),
    )
    op.create_table(
        "agencies",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("country", sa.Text(), sa.ForeignKey("agency_snapshots.country", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("permit", sa.Text()),
        sa.Column("authority", sa.Text()),
        sa.Column("valid_from", sa.Text()),
        sa.Column("valid_to", sa.Text()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("destinations", sa.Text(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("phone", sa.Text()),
        sa.Column("address", sa.Text()),
        sa.Column("website", sa.Text()),
        sa.Column("note", sa.Text()),
        sqlite_autoincrement=True,
    )
    op.create_index("agencies_country", "agencies", ["country"])
    _reports()
    op.add_column("cases", sa.Column("subject", sa.Text()))


def _reports() -> None:
    op.create_table(
        "agency_reports",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("user_id", BIG),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("registry", sa.Text()),
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("permit", sa.Text()),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("flags", sa.Text(), nullable=False, server_default=sa.text("'[]'")),
        sa.Column("what", sa.Text()),
        sa.Column("contact", sa.Text()),
        sa.Column("case_id", BIG),
    )
    op.create_index("agency_reports_user", "agency_reports", ["user_id"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("subject")
    for table in ("agency_reports", "agencies", "agency_snapshots"):
        op.drop_table(table)
