"""The schema, as SQLAlchemy Core tables: one description for SQLite (the default) and PostgreSQL.

This is the schema the migrations (bot/storage/alembic/versions) build; `tests/test_storage_schema.py`
compares the two, so a table changed here without a migration (or the other way round) fails a test.
Telegram ids go past 32 bits: they are BIGINT on PostgreSQL (INTEGER is 64-bit in SQLite already).
Times are ISO 8601 text in UTC, which sorts as time on both engines; JSON is text.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, MetaData, Table, Text, UniqueConstraint, text

metadata = MetaData()

BIG = BigInteger().with_variant(Integer(), "sqlite")  # Telegram ids, unix seconds, row ids
JSON_LIST = text("'[]'")
ZERO = text("0")


def _pk() -> Column[int]:
    return Column("id", BIG, primary_key=True, autoincrement=True)


users = Table(
    "users", metadata,
    Column("id", BIG, primary_key=True, autoincrement=False),  # the Telegram user id
    Column("language", Text),  # chosen language, NULL until chosen
    Column("telegram_language", Text),  # language_code Telegram reported
    Column("citizenship", Text),
    Column("destination", Text),
    Column("first_seen", Text, nullable=False),
    Column("last_seen", Text, nullable=False),
    Column("blocked", Integer, nullable=False, server_default=ZERO),
    Column("location", Text),  # where the person is now: a country of the bot's, XX elsewhere, NULL not asked
    Column("script", Text),  # Uzbek read in Cyrillic: "cyrl"; NULL: the language's own script (bot/telegram/script.py)
    Index("users_language", "language"),
)

fsm_state = Table(
    "fsm_state", metadata,
    Column("key", Text, primary_key=True),  # aiogram's StorageKey, built by DefaultKeyBuilder
    Column("user_id", BIG, nullable=False),
    Column("chat_id", BIG, nullable=False),
    Column("state", Text),
    Column("data", Text, nullable=False, server_default=text("'{}'")),
    Column("updated_at", Text, nullable=False),
    Index("fsm_state_user", "user_id"),
)

cases = Table(
    "cases", metadata,
    _pk(),  # the case number people see
    Column("user_id", BIG),  # NULL once the person deleted their data
    Column("kind", Text, nullable=False),
    Column("level", Text, nullable=False),
    Column("indicators", Text, nullable=False, server_default=JSON_LIST),
    Column("answers", Text),
    Column("description", Text),
    Column("destination", Text),
    Column("citizenship", Text),
    Column("language", Text, nullable=False),
    Column("username", Text),
    Column("team", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'new'")),
    Column("consultant_id", BIG),
    Column("consultant_name", Text),
    Column("outcome", Text),
    Column("created_at", Text, nullable=False),
    Column("taken_at", Text),
    Column("closed_at", Text),
    Column("waiting_since", Text, nullable=False),
    Column("last_alert_at", Text),
    Column("alerts", Integer, nullable=False, server_default=ZERO),
    Column("hotlines_sent_at", Text),
    Column("purged_at", Text),
    Column("subject", Text),  # JSON: what an agency report is about
    Column("signs", Text, nullable=False, server_default=JSON_LIST),
    Column("earlier", Text),
    Column("topic_chat", BIG),
    Column("topic_id", BIG),
    Column("referred_from", Text),  # the team that referred the case to its team now (bot/services/referrals.py)
    Index("cases_status", "status", "waiting_since"),
    Index("cases_user", "user_id", "status"),
    Index("cases_topic", "topic_chat", "topic_id"),
    sqlite_autoincrement=True,
)

case_messages = Table(
    "case_messages", metadata,
    _pk(),
    Column("case_id", BIG, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("direction", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("text", Text),
    Column("chat_id", BIG, nullable=False),
    Column("message_id", BIG, nullable=False),
    Column("author_id", BIG),
    Column("created_at", Text, nullable=False),
    Column("delivered", Integer, nullable=False, server_default=ZERO),
    UniqueConstraint("chat_id", "message_id"),
    Index("case_messages_case", "case_id", "id"),
    sqlite_autoincrement=True,
)

case_notes = Table(
    "case_notes", metadata,
    _pk(),
    Column("case_id", BIG, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", BIG, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    sqlite_autoincrement=True,
)

case_posts = Table(
    "case_posts", metadata,
    Column("chat_id", BIG, primary_key=True, autoincrement=False),
    Column("message_id", BIG, primary_key=True, autoincrement=False),
    Column("case_id", BIG, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),
    Index("case_posts_case", "case_id", "kind"),
)

consultant_active = Table(
    "consultant_active", metadata,
    Column("consultant_id", BIG, primary_key=True, autoincrement=False),
    Column("case_id", BIG, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    _pk(),
    Column("at", Text, nullable=False),
    Column("actor_id", BIG),
    Column("case_id", BIG),
    Column("action", Text, nullable=False),
    Column("detail", Text),  # never message text
    Index("audit_log_case", "case_id"),
    sqlite_autoincrement=True,
)

outbox = Table(
    "outbox", metadata,
    _pk(),
    Column("chat_id", BIG, nullable=False),
    Column("method", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("case_id", BIG),
    Column("track", Text),
    Column("source_id", BIG),
    Column("created_at", Text, nullable=False),
    Column("not_before", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=ZERO),
    Column("claimed_until", Text),
    Column("last_error", Text),
    Column("claimed_by", Text),  # the instance sending it (bot/telegram/instance.py)
    Index("outbox_due", "not_before"),
    sqlite_autoincrement=True,
)

inbox = Table(
    "inbox", metadata,
    Column("update_id", BIG, primary_key=True, autoincrement=False),
    Column("payload", Text, nullable=False),
    Column("received_at", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=ZERO),
    Column("handled_at", Text),
    Column("holder", Text),  # the instance handling it
    Index("inbox_unhandled", "update_id", sqlite_where=text("handled_at IS NULL"), postgresql_where=text("handled_at IS NULL")),
)

trips = Table(
    "trips", metadata,
    Column("user_id", BIG, primary_key=True, autoincrement=False),
    Column("country", Text, nullable=False),
    Column("departure", Text),
    Column("arrival", Text),
    Column("reminders", Integer, nullable=False, server_default=text("1")),
    Column("updated_at", Text, nullable=False),
)

checklist_marks = Table(
    "checklist_marks", metadata,
    Column("user_id", BIG, primary_key=True, autoincrement=False),
    Column("item", Text, primary_key=True),
    Column("done_at", Text),
    Column("day", Text),
    Column("muted", Integer, nullable=False, server_default=ZERO),
    Column("paid", Integer, nullable=False, server_default=ZERO),
    sqlite_with_rowid=False,
)

reminders = Table(
    "reminders", metadata,
    Column("id", BIG, primary_key=True, autoincrement=True),
    Column("user_id", BIG, nullable=False),
    Column("item", Text, nullable=False),
    Column("deadline", Text, nullable=False),
    Column("days_before", Integer, nullable=False),
    Column("due_at", BIG, nullable=False),  # unix seconds, UTC
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=ZERO),
    Column("claimed_at", BIG),
    Column("sent_at", BIG),
    Column("holder", Text),  # the instance that claimed it
    UniqueConstraint("user_id", "item", "deadline", "days_before"),
    Index("reminders_due", "due_at", sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    Index("reminders_busy", "status", sqlite_where=text("status IN ('claimed', 'sending')"),
          postgresql_where=text("status IN ('claimed', 'sending')")),
)

agency_snapshots = Table(
    "agency_snapshots", metadata,
    Column("country", Text, primary_key=True),
    Column("source", Text, nullable=False),
    Column("source_date", Text, nullable=False),
    Column("imported_at", Text, nullable=False),
    Column("file_name", Text),
    Column("sample", Integer, nullable=False, server_default=ZERO),
    Column("rows", Integer, nullable=False),
)

agencies = Table(
    "agencies", metadata,
    _pk(),  # never reused: an old button must not show another agency
    Column("country", Text, ForeignKey("agency_snapshots.country", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("aliases", Text, nullable=False, server_default=JSON_LIST),
    Column("permit", Text),
    Column("authority", Text),
    Column("valid_from", Text),
    Column("valid_to", Text),
    Column("status", Text, nullable=False),
    Column("destinations", Text, nullable=False, server_default=JSON_LIST),
    Column("phone", Text),
    Column("address", Text),
    Column("website", Text),
    Column("note", Text),
    Index("agencies_country", "country"),
    sqlite_autoincrement=True,
)

agency_reports = Table(
    "agency_reports", metadata,
    Column("id", BIG, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),
    Column("user_id", BIG),
    Column("language", Text, nullable=False),
    Column("registry", Text),
    Column("agency", Text, nullable=False),
    Column("permit", Text),
    Column("status", Text, nullable=False),
    Column("flags", Text, nullable=False, server_default=JSON_LIST),
    Column("what", Text),
    Column("contact", Text),
    Column("case_id", BIG),
    Index("agency_reports_user", "user_id"),
)

meta = Table(
    "meta", metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

events = Table(
    "events", metadata,
    Column("id", BIG, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("detail", Text),  # a topic id, a level, a result: never free text
    Column("language", Text),
    Column("citizenship", Text),
    Column("destination", Text),
    Column("actor", Text, nullable=False),  # a keyed hash of the person
    Index("events_actor", "actor"),
    Index("events_at_kind", "at", "kind", "detail"),
)

broadcasts = Table(
    "broadcasts", metadata,
    _pk(),
    Column("created_at", Text, nullable=False),
    Column("author_id", BIG, nullable=False),
    Column("text", Text, nullable=False),
    Column("language", Text),
    Column("citizenship", Text),
    Column("destination", Text),
    Column("status", Text, nullable=False),
    Column("total", Integer, nullable=False),
    Column("not_before", Text),
    Column("progress_chat", BIG),
    Column("progress_msg", BIG),
    Column("finished_at", Text),
    sqlite_autoincrement=True,
)

broadcast_recipients = Table(
    "broadcast_recipients", metadata,
    Column("broadcast_id", BIG, ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    Column("user_id", BIG, primary_key=True, autoincrement=False),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("holder", Text),  # the instance that claimed it
    Index("broadcast_pending", "broadcast_id", "status"),
    sqlite_with_rowid=False,
)

activity = Table(
    "activity", metadata,
    Column("day", Text, primary_key=True),
    Column("actor", Text, primary_key=True),
    # the person's language and countries on their first activity of the day: a period's breakdowns
    Column("language", Text),
    Column("citizenship", Text),
    Column("destination", Text),
    Index("activity_actor", "actor"),
    sqlite_with_rowid=False,
)

digests = Table(
    "digests", metadata,
    Column("admin_id", BIG, primary_key=True, autoincrement=False),
    Column("week", Text, primary_key=True),
    Column("sent_at", Text, nullable=False),
    sqlite_with_rowid=False,
)

boards = Table(
    "boards", metadata,
    Column("chat_id", BIG, primary_key=True, autoincrement=False),
    Column("message_id", BIG),
    Column("text", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
)

consultants = Table(
    "consultants", metadata,
    Column("id", BIG, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("username", Text),
    Column("languages", Text, nullable=False, server_default=JSON_LIST),
    Column("seen_at", Text, nullable=False),
)

instances = Table(
    "instances", metadata,  # the bot's running processes (bot/telegram/instance.py)
    Column("name", Text, primary_key=True),
    Column("incarnation", Text, nullable=False),  # this start of it: a second process of the same name is told apart
    Column("host", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("started_at", Text, nullable=False),
    Column("seen_at", Text, nullable=False),  # its heartbeat
)

leases = Table(
    "leases", metadata,  # what one instance at a time may do (the jobs that run once)
    Column("name", Text, primary_key=True),
    Column("holder", Text, nullable=False),
    Column("until", Text, nullable=False),
)

trail = Table(
    "trail", metadata,  # the messages of a private chat, both ways, while they can be deleted (bot/telegram/hide.py)
    Column("chat_id", BIG, primary_key=True),
    Column("message_id", BIG, primary_key=True),
    Column("at", Text, nullable=False),  # when it was sent (ISO, UTC): Telegram deletes for 48 hours only
    Index("trail_at", "at"),
)

signals = Table(
    "signals", metadata,  # what one instance asked all the others to do (bot/telegram/reload.py: content read again)
    Column("name", Text, primary_key=True),
    Column("sender", Text, nullable=False),  # the asking instance's holder (name/incarnation): it has done it already
    Column("at", Text, nullable=False),
)

checkins = Table(
    "checkins", metadata,  # safety check-ins (bot/services/checkins.py): one per person
    Column("user_id", BIG, primary_key=True, autoincrement=False),
    Column("every_days", Integer, nullable=False),
    Column("at", Text, nullable=False),  # "HH:MM" in `zone`
    Column("zone", Text, nullable=False),
    Column("active", Integer, nullable=False),  # 0: paused
    Column("escalate", Integer, nullable=False),  # the person agreed: missed twice opens a case
    Column("share", Text, nullable=False, server_default=JSON_LIST),  # what that case shows
    Column("workplace", Text),  # as the person typed it, only when shared
    Column("next_at", Text, nullable=False),  # the next question (ISO, UTC)
    Column("stage", Text, nullable=False),  # idle | asked | again | raised
    Column("asked_at", Text),
    Column("case_id", BIG),
    Column("created_at", Text, nullable=False),
    Index("checkins_next", "next_at"),
)

referrals = Table(
    "referrals", metadata,  # a case referred to a partner team, with the person's consent (bot/services/referrals.py)
    _pk(),
    Column("case_id", BIG, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("from_team", Text, nullable=False),
    Column("to_team", Text, nullable=False),
    Column("by_id", BIG, nullable=False),  # the consultant who proposed it
    Column("by_name", Text, nullable=False),
    Column("status", Text, nullable=False),  # asked | refused | failed | sent | taken | closed | cancelled
    Column("from_chat", BIG),  # where the referring team follows the case: its topic, or the consultant's chat
    Column("from_thread", BIG),
    Column("shared", Text),  # JSON: what the person was shown would be shared
    Column("asked_at", Text, nullable=False),
    Column("answered_at", Text),
    Index("referrals_case", "case_id", "status"),
)
