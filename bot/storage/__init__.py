"""SQLite storage: connection and migrations, one repository per aggregate, FSM storage."""

from bot.storage.db import Database
from bot.storage.fsm import SQLiteStorage
from bot.storage.users import User, UserRepository

__all__ = ["Database", "SQLiteStorage", "User", "UserRepository"]
