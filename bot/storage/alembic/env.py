"""Alembic's environment for the bot: migrations run on the connection `bot.storage.migrate` hands over,
each in its own transaction (SQLite included: a crash mid-migration leaves the one before it)."""

from __future__ import annotations

from alembic import context

from bot.storage.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the migrations through bot.storage.migrate (python -m bot db upgrade)")
context.configure(
    connection=connection, target_metadata=metadata, transactional_ddl=True, transaction_per_migration=True,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
)
with context.begin_transaction():
    context.run_migrations()
