"""Cases repository: statements only. The rules (who may do what, when) are in bot.services.desk."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, exists, func, insert, select, update

from bot.models import Case, CaseMessage
from bot.storage.db import Database
from bot.storage.schema import (
    audit_log,
    boards,
    case_messages,
    case_notes,
    case_posts,
    cases,
    consultant_active,
    consultants,
    outbox,
    referrals,
)


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
        referred_from=row["referred_from"],
    )


# Most urgent first: an emergency, then high risk, then what nobody has assessed yet; then the longest waiting.
URGENT_FIRST = (
    case({"emergency": 0, "high": 1, "unknown": 2, "concern": 3}, value=cases.c.level, else_=4),
    cases.c.waiting_since, cases.c.id,
)
OPEN = ("new", "taken")


def _message(row: Any) -> CaseMessage:
    return CaseMessage(
        id=row["id"], case_id=row["case_id"], direction=row["direction"], kind=row["kind"], text=row["text"],
        chat_id=row["chat_id"], message_id=row["message_id"], author_id=row["author_id"],
        created_at=datetime.fromisoformat(row["created_at"]), delivered=bool(row["delivered"]),
    )


class CaseRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.q = _Statements(db)

    # ------------------------------------------------------------------ cases
    async def insert(self, values: dict[str, Any]) -> int:
        case_id = await self.db.insert(insert(cases).values(values).returning(cases.c.id))
        assert case_id is not None
        return case_id

    async def get(self, case_id: int) -> Case | None:
        row = await self.db.fetchone(self.q.get, {"case_id": case_id})
        return _case(row) if row else None

    async def open_for_user(self, user_id: int) -> Case | None:
        row = await self.db.fetchone(self.q.open_for_user, {"user_id": user_id})
        return _case(row) if row else None

    async def users_with_open_cases(self) -> set[int]:
        return {r[0] for r in await self.db.fetchall(self.q.users_with_open)}

    async def consultants_with_active_cases(self) -> set[int]:
        return {r[0] for r in await self.db.fetchall(self.q.active_consultants)}

    async def of_user(self, user_id: int) -> list[Case]:
        return [_case(r) for r in await self.db.fetchall(self.q.of_user, {"user_id": user_id})]

    async def update(
        self, case_id: int, changes: dict[str, Any], *, if_status: str | None = None, if_consultant: int | None = None
    ) -> int:
        """UPDATE one case (only while its status is `if_status` and its consultant `if_consultant`, when
        given: one statement decides between two at once); the number of rows changed tells whether it did."""
        conditions = [cases.c.id == case_id]
        if if_status is not None:
            conditions.append(cases.c.status == if_status)
        if if_consultant is not None:
            conditions.append(cases.c.consultant_id == if_consultant)
        return await self.db.execute(update(cases).where(*conditions).values(changes))

    async def waiting(self) -> list[Case]:
        return [_case(r) for r in await self.db.fetchall(self.q.waiting)]

    async def of_consultant(self, consultant_id: int) -> list[Case]:
        return [_case(r) for r in await self.db.fetchall(self.q.of_consultant, {"consultant_id": consultant_id})]

    async def closed_before(self, before: datetime) -> list[int]:
        return [r["id"] for r in await self.db.fetchall(self.q.closed_before, {"before": before.isoformat()})]

    async def purge_contents(self, case_ids: list[int], now: datetime) -> None:
        if not case_ids:
            return
        for statement in self.q.purge:
            await self.db.execute(statement, {"ids": list(case_ids), "now": now.isoformat()})

    # ------------------------------------------------------------------ messages and notes
    async def add_message(self, values: dict[str, Any]) -> int | None:
        """Insert a message of a case; None when it is there already (an update handled twice)."""
        statement = self.db.sql.insert(case_messages).values(values).on_conflict_do_nothing(
            index_elements=[case_messages.c.chat_id, case_messages.c.message_id]).returning(case_messages.c.id)
        return await self.db.insert(statement)

    async def messages(self, case_id: int) -> list[CaseMessage]:
        return [_message(r) for r in await self.db.fetchall(self.q.messages, {"case_id": case_id})]

    async def message(self, row_id: int) -> CaseMessage | None:
        row = await self.db.fetchone(self.q.message, {"row_id": row_id})
        return _message(row) if row else None

    async def unqueued_messages(self, case_id: int) -> list[CaseMessage]:
        """The person's messages not delivered and not waiting in the outbox, oldest first."""
        return [_message(r) for r in await self.db.fetchall(self.q.unqueued, {"case_id": case_id})]

    async def count_messages(self, case_id: int, direction: str) -> int:
        row = await self.db.fetchone(self.q.count_messages, {"case_id": case_id, "direction": direction})
        return int(row[0]) if row else 0

    async def mark_alerted(self, case_id: int, now: datetime) -> None:
        await self.db.execute(self.q.alerted, {"case_id": case_id, "now": now.isoformat()})

    async def mark_delivered(self, message_id: int) -> tuple[str, int, int] | None:
        """Mark a kept message delivered; (direction, chat, message id) the first time, else None."""
        rows = await self.db.returning(self.q.delivered, {"row_id": message_id})
        return (rows[0][0], int(rows[0][1]), int(rows[0][2])) if rows else None

    async def add_note(self, case_id: int, author_id: int, text: str, now: datetime) -> None:
        await self.db.execute(self.q.add_note, {"case_id": case_id, "author_id": author_id, "text": text, "now": now.isoformat()})

    async def notes(self, case_id: int) -> list[tuple[int, str, datetime]]:
        rows = await self.db.fetchall(self.q.notes, {"case_id": case_id})
        return [(r["author_id"], r["text"], datetime.fromisoformat(r["created_at"])) for r in rows]

    # ------------------------------------------------------------------ posts (alerts, relayed messages)
    async def add_post(self, chat_id: int, message_id: int, case_id: int, kind: str) -> None:
        await self.db.execute(self.q.add_post, {"chat_id": chat_id, "message_id": message_id, "case_id": case_id, "kind": kind})

    async def case_of_post(self, chat_id: int, message_id: int) -> int | None:
        row = await self.db.fetchone(self.q.case_of_post, {"chat_id": chat_id, "message_id": message_id})
        return int(row[0]) if row else None

    async def posts(self, case_id: int, kind: str) -> list[tuple[int, int]]:
        return [(r[0], r[1]) for r in await self.db.fetchall(self.q.posts, {"case_id": case_id, "kind": kind})]

    async def earlier_cases(self, user_id: int, limit: int = 5) -> list[int]:
        return [int(r[0]) for r in await self.db.fetchall(self.q.earlier, {"user_id": user_id, "limit": limit})]

    # ------------------------------------------------------------------ forum topics
    async def case_of_topic(self, chat_id: int, thread_id: int) -> Case | None:
        """The case a topic is about now: the newest of the cases it has held (a person's next case reopens it)."""
        row = await self.db.fetchone(self.q.case_of_topic, {"chat_id": chat_id, "thread_id": thread_id})
        return _case(row) if row else None

    async def topic_of_user(self, user_id: int, chat_id: int) -> int | None:
        """The topic of the person's latest case in this group, unless that case's messages are purged."""
        row = await self.db.fetchone(self.q.topic_of_user, {"user_id": user_id, "chat_id": chat_id})
        return int(row[0]) if row and row[0] is not None and row[1] is None else None

    async def set_topic(self, case_id: int, chat_id: int, thread_id: int, *, only_if_waiting: bool) -> int:
        statement = self.q.set_topic_if_waiting if only_if_waiting else self.q.set_topic
        return await self.db.execute(statement, {"case_id": case_id, "chat_id": chat_id, "thread_id": thread_id})

    async def topic_in_use(self, chat_id: int, thread_id: int, other_than: list[int]) -> bool:
        """Whether a case other than these still has the topic and its messages (not purged)."""
        row = await self.db.fetchone(self.q.topic_in_use, {"chat_id": chat_id, "thread_id": thread_id, "ids": list(other_than) or [0]})
        return row is not None

    async def without_topic(self) -> list[Case]:
        return [_case(r) for r in await self.db.fetchall(self.q.without_topic)]

    async def by_status(self, status: str, limit: int) -> list[Case]:
        return [_case(r) for r in await self.db.fetchall(self.q.by_status, {"status": status, "limit": limit})]

    # ------------------------------------------------------------------ the queue board, the consultants
    async def board(self, chat_id: int) -> tuple[int | None, str] | None:
        row = await self.db.fetchone(self.q.board, {"chat_id": chat_id})
        return (row[0], row[1]) if row else None

    async def set_board(self, chat_id: int, message_id: int | None, text: str, now: datetime) -> None:
        await self.db.execute(self.q.set_board, {"chat_id": chat_id, "message_id": message_id, "text": text, "now": now.isoformat()})

    async def seen_consultant(self, consultant_id: int, name: str, username: str | None, now: datetime) -> None:
        await self.db.execute(self.q.seen_consultant, {"id": consultant_id, "name": name, "username": username, "now": now.isoformat()})

    async def set_languages(self, consultant_id: int, languages: list[str]) -> None:
        await self.db.execute(self.q.set_languages, {"id": consultant_id, "languages": json.dumps(languages)})

    async def consultants(self) -> list[tuple[int, str, str | None, list[str]]]:
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in await self.db.fetchall(self.q.consultants)]

    async def drop_posts(self, case_id: int, kind: str) -> list[tuple[int, int]]:
        """Forget a case's posts of this kind (they are being deleted); returns them."""
        posts = await self.posts(case_id, kind)
        await self.db.execute(self.q.drop_posts, {"case_id": case_id, "kind": kind})
        return posts

    # ------------------------------------------------------------------ the consultant's current case
    async def set_active(self, consultant_id: int, case_id: int) -> None:
        await self.db.execute(self.q.set_active, {"consultant_id": consultant_id, "case_id": case_id})

    async def active(self, consultant_id: int) -> int | None:
        row = await self.db.fetchone(self.q.active, {"consultant_id": consultant_id})
        return int(row[0]) if row else None

    async def clear_active(self, case_id: int) -> None:
        await self.db.execute(self.q.clear_active, {"case_id": case_id})

    # ------------------------------------------------------------------ audit
    async def audit(self, now: datetime, actor_id: int | None, case_id: int | None, action: str, detail: str | None) -> None:
        await self.db.execute(self.q.audit, {"now": now.isoformat(), "actor_id": actor_id, "case_id": case_id, "action": action,
                                             "detail": detail})

    async def audit_trail(self, case_id: int | None = None) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(self.q.trail) if case_id is None else await self.db.fetchall(self.q.trail_of, {"case_id": case_id})
        return [dict(r) for r in rows]


class _Statements:
    """The repository's statements, built once for the database's dialect."""

    def __init__(self, db: Database) -> None:
        one, person = cases.c.id == bindparam("case_id"), cases.c.user_id == bindparam("user_id")
        self.get = select(cases).where(one)
        self.open_for_user = select(cases).where(person, cases.c.status.in_(OPEN)).order_by(cases.c.id.desc()).limit(1)
        self.users_with_open = select(cases.c.user_id).where(cases.c.status.in_(OPEN), cases.c.user_id.is_not(None))
        self.active_consultants = select(consultant_active.c.consultant_id)
        self.of_user = select(cases).where(person)
        self.waiting = select(cases).where(cases.c.status == "new").order_by(*URGENT_FIRST)
        self.of_consultant = select(cases).where(cases.c.consultant_id == bindparam("consultant_id"), cases.c.status == "taken").order_by(
            *URGENT_FIRST)
        self.closed_before = select(cases.c.id).where(cases.c.status == "closed", cases.c.purged_at.is_(None),
                                                      cases.c.closed_at < bindparam("before"))
        ids: Any = bindparam("ids", expanding=True)
        self.purge = (
            delete(case_messages).where(case_messages.c.case_id.in_(ids)), delete(case_notes).where(case_notes.c.case_id.in_(ids)),
            delete(outbox).where(outbox.c.case_id.in_(ids)),
            delete(referrals).where(referrals.c.case_id.in_(ids)),  # with the reason the person was shown
            update(cases).where(cases.c.id.in_(ids)).values(answers=None, description=None, username=None, subject=None,
                                                            purged_at=bindparam("now")),
        )
        self._messages(db)
        self._topics(db)
        self._staff(db)

    def _messages(self, db: Database) -> None:
        of_case = case_messages.c.case_id == bindparam("case_id")
        self.messages = select(case_messages).where(of_case).order_by(case_messages.c.id)
        self.message = select(case_messages).where(case_messages.c.id == bindparam("row_id"))
        queued = exists().where(outbox.c.source_id == case_messages.c.id)
        self.unqueued = select(case_messages).where(of_case, case_messages.c.direction == "in", case_messages.c.delivered == 0,
                                                    ~queued).order_by(case_messages.c.id)
        self.count_messages = select(func.count()).select_from(case_messages).where(of_case, case_messages.c.direction == bindparam("direction"))
        self.alerted = update(cases).where(cases.c.id == bindparam("case_id")).values(last_alert_at=bindparam("now"), alerts=cases.c.alerts + 1)
        self.delivered = update(case_messages).where(case_messages.c.id == bindparam("row_id"), case_messages.c.delivered == 0).values(
            delivered=1).returning(case_messages.c.direction, case_messages.c.chat_id, case_messages.c.message_id)
        self.add_note = insert(case_notes).values(case_id=bindparam("case_id"), author_id=bindparam("author_id"), text=bindparam("text"),
                                                  created_at=bindparam("now"))
        self.notes = select(case_notes.c.author_id, case_notes.c.text, case_notes.c.created_at).where(
            case_notes.c.case_id == bindparam("case_id")).order_by(case_notes.c.id)
        post = db.sql.insert(case_posts).values({c: bindparam(c) for c in ("chat_id", "message_id", "case_id", "kind")})
        self.add_post = post.on_conflict_do_update(index_elements=[case_posts.c.chat_id, case_posts.c.message_id],
                                                   set_={"case_id": post.excluded.case_id, "kind": post.excluded.kind})
        self.case_of_post = select(case_posts.c.case_id).where(case_posts.c.chat_id == bindparam("chat_id"),
                                                               case_posts.c.message_id == bindparam("message_id"))
        of_kind = (case_posts.c.case_id == bindparam("case_id"), case_posts.c.kind == bindparam("kind"))
        self.posts = select(case_posts.c.chat_id, case_posts.c.message_id).where(*of_kind).order_by(case_posts.c.chat_id,
                                                                                                   case_posts.c.message_id)
        self.drop_posts = delete(case_posts).where(*of_kind)
        self.earlier = select(cases.c.id).where(cases.c.user_id == bindparam("user_id")).order_by(cases.c.id.desc()).limit(bindparam("limit"))

    def _topics(self, db: Database) -> None:
        topic = (cases.c.topic_chat == bindparam("chat_id"), cases.c.topic_id == bindparam("thread_id"))
        self.case_of_topic = select(cases).where(*topic).order_by(cases.c.id.desc()).limit(1)
        self.topic_of_user = select(cases.c.topic_id, cases.c.purged_at).where(
            cases.c.user_id == bindparam("user_id"), cases.c.topic_chat == bindparam("chat_id")).order_by(cases.c.id.desc()).limit(1)
        values: dict[str, Any] = {"topic_chat": bindparam("chat_id"), "topic_id": bindparam("thread_id")}
        one = cases.c.id == bindparam("case_id")
        self.set_topic = update(cases).where(one).values(values)
        self.set_topic_if_waiting = update(cases).where(one, cases.c.status == "new", cases.c.topic_id.is_(None),
                                                        cases.c.user_id.is_not(None)).values(values)
        self.topic_in_use = select(cases.c.id).where(*topic, cases.c.purged_at.is_(None),
                                                     cases.c.id.not_in(bindparam("ids", expanding=True))).limit(1)
        self.without_topic = select(cases).where(cases.c.status == "new", cases.c.topic_id.is_(None)).order_by(*URGENT_FIRST)
        self.by_status = select(cases).where(cases.c.status == bindparam("status")).order_by(cases.c.id.desc()).limit(bindparam("limit"))

    def _staff(self, db: Database) -> None:
        self.board = select(boards.c.message_id, boards.c.text).where(boards.c.chat_id == bindparam("chat_id"))
        board = db.sql.insert(boards).values(chat_id=bindparam("chat_id"), message_id=bindparam("message_id"), text=bindparam("text"),
                                             updated_at=bindparam("now"))
        self.set_board = board.on_conflict_do_update(index_elements=[boards.c.chat_id], set_={
            c: board.excluded[c] for c in ("message_id", "text", "updated_at")})
        seen = db.sql.insert(consultants).values(id=bindparam("id"), name=bindparam("name"), username=bindparam("username"),
                                                 seen_at=bindparam("now"))
        self.seen_consultant = seen.on_conflict_do_update(index_elements=[consultants.c.id], set_={
            c: seen.excluded[c] for c in ("name", "username", "seen_at")})
        self.set_languages = update(consultants).where(consultants.c.id == bindparam("id")).values(languages=bindparam("languages"))
        self.consultants = select(consultants.c.id, consultants.c.name, consultants.c.username, consultants.c.languages).order_by(
            consultants.c.name)
        active = db.sql.insert(consultant_active).values(consultant_id=bindparam("consultant_id"), case_id=bindparam("case_id"))
        self.set_active = active.on_conflict_do_update(index_elements=[consultant_active.c.consultant_id],
                                                       set_={"case_id": active.excluded.case_id})
        self.active = select(consultant_active.c.case_id).where(consultant_active.c.consultant_id == bindparam("consultant_id"))
        self.clear_active = delete(consultant_active).where(consultant_active.c.case_id == bindparam("case_id"))
        self.audit = insert(audit_log).values(at=bindparam("now"), actor_id=bindparam("actor_id"), case_id=bindparam("case_id"),
                                              action=bindparam("action"), detail=bindparam("detail"))
        self.trail = select(audit_log).order_by(audit_log.c.id)
        self.trail_of = select(audit_log).where(audit_log.c.case_id == bindparam("case_id")).order_by(audit_log.c.id)
