"""Every SQL statement of the bot: the connection and migrations (db.py, migrations.py) and one
repository per aggregate. No aiogram here, and no decisions: the services decide."""
