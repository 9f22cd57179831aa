"""Numbered schema migrations: migration N sets PRAGMA user_version = N.

Append new migrations at the end; never edit one that has shipped. Statements are separated by
semicolons (no semicolons inside string literals or triggers here).
"""

MIGRATIONS: tuple[str, ...] = (
    # 1: users and aiogram FSM state
    """
    CREATE TABLE users (
        id                INTEGER PRIMARY KEY,          -- Telegram user id
        language          TEXT,                         -- chosen language, NULL until chosen
        telegram_language TEXT,                         -- language_code Telegram reported
        citizenship       TEXT,                         -- ISO 3166 alpha-2, when given
        destination       TEXT,                         -- ISO 3166 alpha-2, when given
        first_seen        TEXT NOT NULL,                -- ISO 8601 UTC
        last_seen         TEXT NOT NULL,
        blocked           INTEGER NOT NULL DEFAULT 0    -- 1 when the user blocked the bot
    );
    CREATE INDEX users_language ON users(language);
    CREATE TABLE fsm_state (
        key        TEXT PRIMARY KEY,                    -- aiogram StorageKey, built by DefaultKeyBuilder
        user_id    INTEGER NOT NULL,
        chat_id    INTEGER NOT NULL,
        state      TEXT,
        data       TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL
    );
    CREATE INDEX fsm_state_user ON fsm_state(user_id);
    """,
)
