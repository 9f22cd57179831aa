"""Cases repository: SQL only. The rules (who may do what, when) are in bot.services.desk."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.models import Case, CaseMessage
from bot.storage.db import Database


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _case(row: Any) -> Case:
    return Case(
        id=row["id"], user_id=row["user_id"], kind=row["kind"], level=row["level"],
        indicators=tuple(json.loads(row["indicators"] or "[]")),
        answers=json.loads(row["answers"]) if row["answers"] else None,
        description=row["description"], destination=row["destination"], citizenship=row["citizenship"],
        language=row["language"], username=row["username"], team=row["team"], status=row["status"],
        consultant_id=row["consultant_id"], consultant_name=row["consultant_name"], outcome=row["outcome"],
        created_at=datetime.fromisoformat(row["created_at"]), taken_at=_dt(row["taken_at"]),
        closed_at=_dt(row["closed_at"]), waiting_since=datetime.fromisoformat(row["waiting_since"]),
        last_alert_at=_dt(row["last_alert_at"]), alerts=row["alerts"], hotlines_sent_at=_dt(row["hotlines_sent_at"]),
        subject=json.loads(row["subject"]) if row["subject"] else None, signs=tuple(json.loads(row["signs"] or "[]")),
        earlier=tuple(json.loads(row["earlier"] or "[]")), topic_chat=row["topic_chat"], topic_id=row["topic_id"],
    )


# Most urgent first: an emergency, then high risk, then what nobody has assessed yet; then the longest waiting.
URGENT_FIRST = (
    "CASE level WHEN 'emergency' THEN 0 WHEN 'high' THEN 1 WHEN 'unknown' THEN 2 WHEN 'concern' THEN 3 ELSE 4 END, "
    "waiting_since, id"
)


def _message(row: Any) -> CaseMessage:
    return CaseMessage(
        id=row["id"], case_id=row["case_id"], direction=row["direction"], kind=row["kind"], text=row["text"],
        chat_id=row["chat_id"], message_id=row["message_id"], author_id=row["author_id"],
        created_at=datetime.fromisoformat(row["created_at"]), delivered=bool(row["delivered"]),
    )


class CaseRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ cases
    async def insert(self, values: dict[str, Any]) -> int:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        case_id = await self.db.insert(f"INSERT INTO cases ({columns}) VALUES ({marks})", tuple(values.values()))
        assert case_id is not None
        return case_id

    async def get(self, case_id: int) -> Case | None:
        row = await self.db.fetchone("SELECT * FROM cases WHERE id = ?", (case_id,))
        return _case(row) if row else None

    async def open_for_user(self, user_id: int) -> Case | None:
        row = await self.db.fetchone(
            "SELECT * FROM cases WHERE user_id = ? AND status IN ('new', 'taken') ORDER BY id DESC LIMIT 1", (user_id,)
        )
        return _case(row) if row else None

    async def users_with_open_cases(self) -> set[int]:
        rows = await self.db.fetchall("SELECT user_id FROM cases WHERE status IN ('new', 'taken') AND user_id IS NOT NULL")
        return {r[0] for r in rows}

    async def consultants_with_active_cases(self) -> set[int]:
        return {r[0] for r in await self.db.fetchall("SELECT consultant_id FROM consultant_active")}

    async def of_user(self, user_id: int) -> list[Case]:
        return [_case(r) for r in await self.db.fetchall("SELECT * FROM cases WHERE user_id = ?", (user_id,))]

    async def update(
        self, case_id: int, changes: dict[str, Any], *, if_status: str | None = None, if_consultant: int | None = None
    ) -> int:
        """UPDATE one case (only while its status is `if_status` and its consultant `if_consultant`, when
        given: one statement decides between two at once); the number of rows changed tells whether it did."""
        sets = ", ".join(f"{column} = ?" for column in changes)
        where = "id = ?"
        params: list[Any] = [case_id]
        if if_status is not None:
            where, params = f"{where} AND status = ?", [*params, if_status]
        if if_consultant is not None:
            where, params = f"{where} AND consultant_id = ?", [*params, if_consultant]
        return await self.db.execute(f"UPDATE cases SET {sets} WHERE {where}", (*changes.values(), *params))

    async def waiting(self) -> list[Case]:
        rows = await self.db.fetchall(f"SELECT * FROM cases WHERE status = 'new' ORDER BY {URGENT_FIRST}")
        return [_case(r) for r in rows]

    async def of_consultant(self, consultant_id: int) -> list[Case]:
        rows = await self.db.fetchall(
            f"SELECT * FROM cases WHERE consultant_id = ? AND status = 'taken' ORDER BY {URGENT_FIRST}", (consultant_id,)
        )
        return [_case(r) for r in rows]

    async def closed_before(self, before: datetime) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM cases WHERE status = 'closed' AND purged_at IS NULL AND closed_at < ?", (before.isoformat(),)
        )
        return [r["id"] for r in rows]

    async def purge_contents(self, case_ids: list[int], now: datetime) -> None:
        marks = ", ".join("?" for _ in case_ids)
        await self.db.execute(f"DELETE FROM case_messages WHERE case_id IN ({marks})", case_ids)
        await self.db.execute(f"DELETE FROM case_notes WHERE case_id IN ({marks})", case_ids)
        await self.db.execute(f"DELETE FROM outbox WHERE case_id IN ({marks})", case_ids)
        await self.db.execute(
            f"UPDATE cases SET answers = NULL, description = NULL, username = NULL, subject = NULL, purged_at = ? WHERE id IN ({marks})",
            (now.isoformat(), *case_ids),
        )

    # ------------------------------------------------------------------ messages and notes
    async def add_message(self, values: dict[str, Any]) -> int | None:
        """Insert a message of a case; None when it is there already (an update handled twice)."""
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        return await self.db.insert(
            f"INSERT INTO case_messages ({columns}) VALUES ({marks}) ON CONFLICT(chat_id, message_id) DO NOTHING",
            tuple(values.values()),
        )

    async def messages(self, case_id: int) -> list[CaseMessage]:
        rows = await self.db.fetchall("SELECT * FROM case_messages WHERE case_id = ? ORDER BY id", (case_id,))
        return [_message(r) for r in rows]

    async def message(self, row_id: int) -> CaseMessage | None:
        row = await self.db.fetchone("SELECT * FROM case_messages WHERE id = ?", (row_id,))
        return _message(row) if row else None

    async def unqueued_messages(self, case_id: int) -> list[CaseMessage]:
        """The person's messages not delivered and not waiting in the outbox, oldest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM case_messages m WHERE case_id = ? AND direction = 'in' AND delivered = 0 "
            "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.source_id = m.id) ORDER BY id",
            (case_id,),
        )
        return [_message(r) for r in rows]

    async def count_messages(self, case_id: int, direction: str) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) FROM case_messages WHERE case_id = ? AND direction = ?", (case_id, direction))
        return int(row[0]) if row else 0

    async def mark_alerted(self, case_id: int, now: datetime) -> None:
        await self.db.execute("UPDATE cases SET last_alert_at = ?, alerts = alerts + 1 WHERE id = ?", (now.isoformat(), case_id))

    async def mark_delivered(self, message_id: int) -> tuple[str, int, int] | None:
        """Mark a kept message delivered; (direction, chat, message id) the first time, else None."""
        rows = await self.db.returning(
            "UPDATE case_messages SET delivered = 1 WHERE id = ? AND delivered = 0 RETURNING direction, chat_id, message_id",
            (message_id,),
        )
        return (rows[0][0], int(rows[0][1]), int(rows[0][2])) if rows else None

    async def add_note(self, case_id: int, author_id: int, text: str, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO case_notes (case_id, author_id, text, created_at) VALUES (?, ?, ?, ?)",
            (case_id, author_id, text, now.isoformat()),
        )

    async def notes(self, case_id: int) -> list[tuple[int, str, datetime]]:
        rows = await self.db.fetchall("SELECT author_id, text, created_at FROM case_notes WHERE case_id = ? ORDER BY id", (case_id,))
        return [(r["author_id"], r["text"], datetime.fromisoformat(r["created_at"])) for r in rows]

    # ------------------------------------------------------------------ posts (alerts, relayed messages)
    async def add_post(self, chat_id: int, message_id: int, case_id: int, kind: str) -> None:
        await self.db.execute(
            "INSERT OR REPLACE INTO case_posts (chat_id, message_id, case_id, kind) VALUES (?, ?, ?, ?)",
            (chat_id, message_id, case_id, kind),
        )

    async def case_of_post(self, chat_id: int, message_id: int) -> int | None:
        row = await self.db.fetchone("SELECT case_id FROM case_posts WHERE chat_id = ? AND message_id = ?", (chat_id, message_id))
        return int(row[0]) if row else None

    async def posts(self, case_id: int, kind: str) -> list[tuple[int, int]]:
        rows = await self.db.fetchall(
            "SELECT chat_id, message_id FROM case_posts WHERE case_id = ? AND kind = ? ORDER BY rowid", (case_id, kind)
        )
        return [(r[0], r[1]) for r in rows]

    async def earlier_cases(self, user_id: int, limit: int = 5) -> list[int]:
        rows = await self.db.fetchall("SELECT id FROM cases WHERE user_id = ? ORDER BY id DESC LIMIT ?", (user_id, limit))
        return [int(r[0]) for r in rows]

    # ------------------------------------------------------------------ forum topics
    async def case_of_topic(self, chat_id: int, thread_id: int) -> Case | None:
        """The case a topic is about now: the newest of the cases it has held (a person's next case reopens it)."""
        row = await self.db.fetchone(
            "SELECT * FROM cases WHERE topic_chat = ? AND topic_id = ? ORDER BY id DESC LIMIT 1", (chat_id, thread_id)
        )
        return _case(row) if row else None

    async def topic_of_user(self, user_id: int, chat_id: int) -> int | None:
        """The topic of the person's latest case in this group, unless that case's messages are purged."""
        row = await self.db.fetchone(
            "SELECT topic_id, purged_at FROM cases WHERE user_id = ? AND topic_chat = ? ORDER BY id DESC LIMIT 1",
            (user_id, chat_id),
        )
        return int(row[0]) if row and row[0] is not None and row[1] is None else None

    async def set_topic(self, case_id: int, chat_id: int, thread_id: int, *, only_if_waiting: bool) -> int:
        where = "id = ? AND status = 'new' AND topic_id IS NULL AND user_id IS NOT NULL" if only_if_waiting else "id = ?"
        return await self.db.execute(f"UPDATE cases SET topic_chat = ?, topic_id = ? WHERE {where}", (chat_id, thread_id, case_id))

    async def topic_in_use(self, chat_id: int, thread_id: int, other_than: list[int]) -> bool:
        """Whether a case other than these still has the topic and its messages (not purged)."""
        marks = ", ".join("?" for _ in other_than) or "NULL"
        row = await self.db.fetchone(
            f"SELECT 1 FROM cases WHERE topic_chat = ? AND topic_id = ? AND purged_at IS NULL AND id NOT IN ({marks})",
            (chat_id, thread_id, *other_than),
        )
        return row is not None

    async def without_topic(self) -> list[Case]:
        rows = await self.db.fetchall(f"SELECT * FROM cases WHERE status = 'new' AND topic_id IS NULL ORDER BY {URGENT_FIRST}")
        return [_case(r) for r in rows]

    async def by_status(self, status: str, limit: int) -> list[Case]:
        rows = await self.db.fetchall("SELECT * FROM cases WHERE status = ? ORDER BY id DESC LIMIT ?", (status, limit))
        return [_case(r) for r in rows]

    # ------------------------------------------------------------------ the queue board, the consultants
    async def board(self, chat_id: int) -> tuple[int | None, str] | None:
        row = await self.db.fetchone("SELECT message_id, text FROM boards WHERE chat_id = ?", (chat_id,))
        return (row[0], row[1]) if row else None

    async def set_board(self, chat_id: int, message_id: int | None, text: str, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO boards (chat_id, message_id, text, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(chat_id) "
            "DO UPDATE SET message_id = excluded.message_id, text = excluded.text, updated_at = excluded.updated_at",
            (chat_id, message_id, text, now.isoformat()),
        )

    async def seen_consultant(self, consultant_id: int, name: str, username: str | None, now: datetime) -> None:
        await self.db.execute(
            "INSERT INTO consultants (id, name, username, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) "
            "DO UPDATE SET name = excluded.name, username = excluded.username, seen_at = excluded.seen_at",
            (consultant_id, name, username, now.isoformat()),
        )

    async def set_languages(self, consultant_id: int, languages: list[str]) -> None:
        await self.db.execute("UPDATE consultants SET languages = ? WHERE id = ?", (json.dumps(languages), consultant_id))

    async def consultants(self) -> list[tuple[int, str, str | None, list[str]]]:
        rows = await self.db.fetchall("SELECT id, name, username, languages FROM consultants ORDER BY name")
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    async def drop_posts(self, case_id: int, kind: str) -> list[tuple[int, int]]:
        """Forget a case's posts of this kind (they are being deleted); returns them."""
        posts = await self.posts(case_id, kind)
        await self.db.execute("DELETE FROM case_posts WHERE case_id = ? AND kind = ?", (case_id, kind))
        return posts

    # ------------------------------------------------------------------ the consultant's current case
    async def set_active(self, consultant_id: int, case_id: int) -> None:
        await self.db.execute(
            "INSERT INTO consultant_active (consultant_id, case_id) VALUES (?, ?) "
            "ON CONFLICT(consultant_id) DO UPDATE SET case_id = excluded.case_id",
            (consultant_id, case_id),
        )

    async def active(self, consultant_id: int) -> int | None:
        row = await self.db.fetchone("SELECT case_id FROM consultant_active WHERE consultant_id = ?", (consultant_id,))
        return int(row[0]) if row else None

    async def clear_active(self, case_id: int) -> None:
        await self.db.execute("DELETE FROM consultant_active WHERE case_id = ?", (case_id,))

    # ------------------------------------------------------------------ audit
    async def audit(self, now: datetime, actor_id: int | None, case_id: int | None, action: str, detail: str | None) -> None:
        await self.db.execute(
            "INSERT INTO audit_log (at, actor_id, case_id, action, detail) VALUES (?, ?, ?, ?, ?)",
            (now.isoformat(), actor_id, case_id, action, detail),
        )

    async def audit_trail(self, case_id: int | None = None) -> list[dict[str, Any]]:
        if case_id is None:
            rows = await self.db.fetchall("SELECT * FROM audit_log ORDER BY id")
        else:
            rows = await self.db.fetchall("SELECT * FROM audit_log WHERE case_id = ? ORDER BY id", (case_id,))
        return [dict(r) for r in rows]
