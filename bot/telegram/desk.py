"""The desk: turns case events into posts (alerts, summaries, relayed messages, notices).

Handlers and scheduled jobs call the desk; it calls the case service for the rules and queues what
must be said in the outbox, in the same transaction, then tries to send it at once. The words are
in bot/screens/desk.py; the desk picks the language of whoever reads them: the team's for alerts,
the consultant's own, the person's chosen one. What people write is escaped before anyone sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import Message

from bot.config import Settings
from bot.content import Content
from bot.i18n import CatalogI18n
from bot.models import Case, CaseMessage
from bot.screens import consult as screens_consult
from bot.screens import desk as screens
from bot.screens.desk import TEXT_LIMIT
from bot.services.desk import Actor, CaseError, CaseService, Draft, Taken
from bot.telegram.outbox import Outbox

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
CAPTIONED = {"photo", "video", "document", "voice", "audio", "animation"}


def message_kind(message: Message) -> str:
    if message.text is not None:
        return "text"
    for kind in ("photo", "voice", "video", "video_note", "audio", "document", "location", "contact", "sticker", "animation"):
        if getattr(message, kind) is not None:
            return kind
    return "other"


def split(text: str, limit: int) -> list[str]:
    """Cut a long text into pieces of at most `limit` characters, at line or word ends where possible."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    pieces.append(text)
    return [p for p in pieces if p]


class Desk:
    def __init__(
        self, bot: Bot, config: Settings, i18n: CatalogI18n, content: Content, cases: CaseService, outbox: Outbox,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.bot = bot
        self.config = config
        self.i18n = i18n
        self.content = content
        self.cases = cases
        self.outbox = outbox
        self.clock = clock
        self.realert_after = timedelta(minutes=config.realert_minutes)
        self.hotlines_after = timedelta(minutes=config.hotlines_minutes)
        self.retention = timedelta(days=config.retention_days)

    @property
    def available(self) -> bool:
        return bool(self.cases.teams)

    @contextmanager
    def speaking(self, locale: str) -> Iterator[None]:
        with self.i18n.context(), self.i18n.use_locale(locale):
            yield

    @property
    def team_locale(self) -> str:
        return self.config.default_language

    # ------------------------------------------------------------------ opening a case
    async def open_case(self, draft: Draft) -> Case:
        """Create the case and queue its alert in one transaction, then try to post the alert at once."""
        async with self.cases.db.transaction():
            case = await self.cases.open(draft)
            item = await self.queue_alert(case)
        await self.outbox.flush([item])
        return case

    async def send_queued(self, ids: list[int]) -> None:
        """Send what a use case queued for the desk (an alert, notices) once its transaction has committed."""
        await self.outbox.flush(ids)

    async def queue_alert(self, case: Case) -> int:
        """Queue the alert of a case just opened in the caller's transaction (an agency report opens one
        with the report); returns the outbox item, for the caller to flush once that transaction commits."""
        now = self.clock()
        team = self.cases.team_of(case)
        assert team is not None
        item = await self._post_alert(team.chat_id, case, now)
        if not team.is_open(now):
            await self.cases.mark_hotlines_sent(case.id, now)  # the person gets the hotlines at once
        return item

    async def _post_alert(self, chat_id: int, case: Case, now: datetime, *, again: bool = False, returned_by: str | None = None) -> int:
        """Queue an alert with its Take button in the team's group (inside the caller's transaction)."""
        with self.speaking(self.team_locale):
            alert = screens.alert(case, now, again=again, returned_by=returned_by)
            item = await self.outbox.post(chat_id, alert.text, alert.markup, case_id=case.id, track="alert")
        await self.cases.mark_alerted(case.id, now)
        return item

    def opened_text(self, case: Case, content: Content, language: str, destination: str | None) -> str:
        """What the person reads once their case is open (also after an agency report): in their language,
        with the hours of the case's team."""
        with self.speaking(language):
            return screens_consult.opened_text(case, content, language, destination, self.opens_at(case), self.config.hotlines_minutes)

    def opens_at(self, case: Case) -> datetime | None:
        """When the case's team is next at work, or None if it is at work now."""
        team = self.cases.team_of(case)
        now = self.clock()
        if team is None or team.hours is None or team.is_open(now):
            return None
        return team.hours.next_open(now)

    # ------------------------------------------------------------------ taking
    async def take(self, case_id: int, actor: Actor) -> tuple[str, Taken | None]:
        """'won' | 'lost' | 'need_start' (the consultant never opened a chat with the bot) | 'not_found'.

        Taking, the summary, the person's waiting messages, the notice to the person and the edited alerts
        are one transaction: a crash leaves all of it queued in the outbox, or none. A message the person
        sends meanwhile is queued by `from_person` once the case is taken, or picked up here before: never
        both. The same consultant taking again (a double tap, the update replayed) is told it is theirs."""
        case = await self.cases.get(case_id)
        if case is None:
            return "not_found", None
        if case.status == "new" and not await self._reachable(actor.id):
            return "need_start", None
        ids: list[int] = []
        async with self.cases.db.transaction():
            try:
                taken = await self.cases.take(case_id, actor)
            except CaseError:
                return "not_found", None
            if taken.won:
                ids = await self._queue_taken(taken.case, actor)
        if not taken.won:
            mine = taken.case.status == "taken" and taken.case.consultant_id == actor.id
            return ("won" if mine else "lost"), taken
        await self.outbox.flush(ids)
        return "won", taken

    async def _reachable(self, chat_id: int) -> bool:
        """Whether the bot can write to this person (they have opened a chat with it and not blocked it)."""
        try:
            await self.bot.send_chat_action(chat_id, "typing")
        except (TelegramForbiddenError, TelegramBadRequest):
            return False
        return True

    async def _queue_taken(self, case: Case, actor: Actor) -> list[int]:
        """Inside the take's transaction: the summary first, then what the person wrote while waiting."""
        history = await self.cases.history(case.id)
        text = screens.summary(case, history, self.clock(), self.i18n.current_locale, self.config.ngo_name)
        ids = [await self.outbox.post(actor.id, text, case_id=case.id, track="relay")]
        earlier = [m for m in history if m.delivered]  # said with a consultant before: the case was handed over
        if earlier:
            ids.append(await self.outbox.post(actor.id, screens.conversation_so_far(earlier), case_id=case.id, track="relay"))
        for _author, note, at in await self.cases.notes(case.id):
            ids.append(await self.outbox.post(actor.id, screens.note_text(note, at), case_id=case.id))
        ids += await self._queue_to_consultant(case, actor.id, await self.cases.unqueued_from_person(case.id))
        ids += await self._edit_alerts(case)
        if case.user_id is not None:
            with self.speaking(case.language):
                ids.append(await self.outbox.post(case.user_id, screens.taken_notice(case.id), case_id=case.id))
        return ids

    async def _edit_alerts(self, case: Case) -> list[int]:
        fresh = await self.cases.get(case.id)
        assert fresh is not None
        ids = []
        with self.speaking(self.team_locale):
            text = screens.alert_after(fresh)
            for chat_id, message_id in await self.cases.posts(case.id, "alert"):
                ids.append(await self.outbox.edit(chat_id, message_id, text, case_id=case.id))
        return ids

    # ------------------------------------------------------------------ relaying
    async def _post_text(self, chat_id: int, header: str, text: str, **queue: Any) -> list[int]:
        """Queue `text` (escaped) under `header`, cut into as many messages as it needs."""
        return [
            await self.outbox.post(chat_id, f"{header}\n{piece}", **queue)
            for piece in split(escape(text), TEXT_LIMIT - len(header) - 2)
        ]

    async def _queue_to_consultant(self, case: Case, consultant_id: int, messages: list[CaseMessage]) -> list[int]:
        ids = []
        for item in messages:
            header = screens.from_person_header(case.id)
            if item.kind == "text":
                ids += await self._post_text(consultant_id, header, item.text or "", case_id=case.id, track="relay", source_id=item.id)
                continue
            caption = screens.captioned(header, item.text, ": ")
            if item.kind in CAPTIONED and len(caption) <= CAPTION_LIMIT:
                ids.append(await self.outbox.copy(
                    consultant_id, item.chat_id, item.message_id, caption, case_id=case.id, track="relay", source_id=item.id
                ))
                continue
            with self.speaking(self.team_locale):
                ids.append(await self.outbox.post(consultant_id, screens.media_label(header, item.kind), case_id=case.id, track="relay"))
                if item.text and item.kind in CAPTIONED:  # a caption too long to add a header to
                    ids += await self._post_text(consultant_id, header, item.text, case_id=case.id, track="relay")
            ids.append(await self.outbox.copy(consultant_id, item.chat_id, item.message_id, case_id=case.id, track="relay", source_id=item.id))
        return ids

    async def from_person(self, case: Case, message: Message) -> str:
        """Keep what the person sent and pass it on: 'relayed' | 'waiting' (not taken yet; 'first_waiting' for the
        first such message, also when the same update comes again) | 'again' (seen before).

        The case is read again inside the transaction: a consultant may have taken it since the message
        arrived, and then the message is queued here (a take queues only what was kept before it)."""
        kind = message_kind(message)
        text = message.text if message.text is not None else message.caption
        ids: list[int] = []
        async with self.cases.db.transaction():
            case = await self.cases.get(case.id) or case
            taken = case.status == "taken" and case.consultant_id is not None
            row = await self.cases.record(case, "in", kind, text, message.chat.id, message.message_id)
            if row is not None and taken and case.consultant_id is not None:
                kept = await self.cases.message(row)
                with self.speaking(self.team_locale):
                    ids = await self._queue_to_consultant(case, case.consultant_id, [kept])
            first = not taken and await self.cases.count_from_person(case.id) == 1
            raised = await self.cases.heard_danger(case, text) if row is not None else None
            team = self.cases.team_of(raised) if raised is not None and raised.status == "new" else None
            if raised is not None and team is not None:  # more urgent now: the group hears it at once
                with self.speaking(self.team_locale):
                    ids.append(await self._post_alert(team.chat_id, raised, self.clock(), again=True))
        await self.outbox.flush(ids)
        if row is None:
            return "first_waiting" if first else "again"  # a replay says again what the first run said
        if not taken:
            log.info("case %s: message kept until a consultant takes it", case.id)
            return "first_waiting" if first else "waiting"
        return "relayed"

    async def from_consultant(self, case: Case, actor: Actor, message: Message, consultant_locale: str) -> str:
        """Pass a consultant's message to the person, signed; 'relayed' | 'again' | 'gone'."""
        if case.user_id is None:
            return "gone"
        kind = message_kind(message)
        text = message.text if message.text is not None else message.caption
        with self.speaking(consultant_locale):
            failed = screens.undelivered(case.id)
        ids: list[int] = []
        async with self.cases.db.transaction():
            row = await self.cases.record(case, "out", kind, text, message.chat.id, message.message_id, author_id=actor.id)
            if row is None:
                return "again"
            with self.speaking(case.language):
                signature = screens.signed_header(self.config.ngo_name)
                notice = (actor.id, failed)
                if kind == "text":
                    ids += await self._post_text(case.user_id, signature, text or "", case_id=case.id, source_id=row, failed_notice=notice)
                elif kind in CAPTIONED and len(f"{signature}\n{escape(text or '')}") <= CAPTION_LIMIT:
                    caption = screens.captioned(signature, text, "\n")
                    ids.append(await self.outbox.copy(
                        case.user_id, message.chat.id, message.message_id, caption, case_id=case.id, source_id=row, failed_notice=notice
                    ))
                else:
                    ids.append(await self.outbox.post(case.user_id, signature, case_id=case.id, failed_notice=notice))
                    if text and kind in CAPTIONED:
                        ids.append(await self.outbox.post(case.user_id, escape(text)[:TEXT_LIMIT], case_id=case.id))
                    ids.append(await self.outbox.copy(
                        case.user_id, message.chat.id, message.message_id, case_id=case.id, source_id=row, failed_notice=notice
                    ))
        await self.outbox.flush(ids)
        return "relayed"

    # ------------------------------------------------------------------ ending
    async def transfer(self, case_id: int, actor: Actor) -> Case:
        now = self.clock()
        async with self.cases.db.transaction():
            case = await self.cases.transfer(case_id, actor)
            team = self.cases.team_of(case)
            assert team is not None
            ids = [await self._post_alert(team.chat_id, case, now, returned_by=actor.name)]
            if case.user_id is not None:
                with self.speaking(case.language):
                    ids.append(await self.outbox.post(case.user_id, screens.passed_on_notice(case.id), case_id=case.id))
        await self.outbox.flush(ids)
        return case

    async def close(self, case_id: int, actor: Actor, outcome: str) -> Case:
        async with self.cases.db.transaction():
            case = await self.cases.close(case_id, actor, outcome)
            ids = await self._edit_alerts(case)
            if case.user_id is not None and case.outcome != "ended_by_person":
                with self.speaking(case.language):
                    notice = screens.closed_notice(case.id)
                    ids.append(await self.outbox.post(case.user_id, notice.text, notice.markup, case_id=case.id))
        await self.outbox.flush(ids)
        return case

    async def end_by_person(self, user_id: int) -> Case | None:
        async with self.cases.db.transaction():
            case = await self.cases.end_by_person(user_id)
            if case is None:
                return None
            ids = await self._consultant_notice(case, screens.person_ended)
        await self.outbox.flush(ids)
        return case

    async def queue_forgotten(self, closed: list[Case]) -> list[int]:
        """The person deleted their data (bot.services.privacy), closing these cases: queue the notices to
        their consultants inside the caller's transaction; the caller flushes them once it commits."""
        ids: list[int] = []
        for case in closed:
            ids += await self._consultant_notice(case, screens.person_forgot)
        return ids

    async def _consultant_notice(self, case: Case, notice: Callable[[int], str]) -> list[int]:
        """Tell the consultant holding the case (in the team's language), and update the group's alerts."""
        ids = await self._edit_alerts(case)
        if case.consultant_id is not None:
            with self.speaking(self.team_locale):
                ids.append(await self.outbox.post(case.consultant_id, notice(case.id), case_id=case.id))
        return ids

    # ------------------------------------------------------------------ response-time rules and retention
    async def tick(self) -> None:
        """Every half minute: alert again what waits too long; give waiting people the hotlines."""
        now = self.clock()
        ids = await self._realert(now)
        ids += await self._hotlines(now)
        await self.outbox.flush(ids)

    async def _realert(self, now: datetime) -> list[int]:
        """Alert again, most urgent first: the case's earlier alert goes, a fresh one comes to the bottom of
        the group, so each waiting case has one alert, one Take button, and its waiting time up to date."""
        ids: list[int] = []
        for case in await self.cases.due_for_realert(now, self.realert_after):
            team = self.cases.team_of(case)
            if team is None:
                continue
            async with self.cases.db.transaction():
                for chat_id, message_id in await self.cases.drop_alerts(case.id):
                    ids.append(await self.outbox.delete(chat_id, message_id, case_id=case.id))
                ids.append(await self._post_alert(team.chat_id, case, now, again=True))
            log.info("case %s re-alerted after %s min", case.id, screens.waited(case, now))
        return ids

    async def _hotlines(self, now: datetime) -> list[int]:
        ids: list[int] = []
        for case in await self.cases.due_for_hotlines(now, self.hotlines_after):
            async with self.cases.db.transaction():
                if case.user_id is not None:
                    with self.speaking(case.language):
                        text = screens.still_waiting(case.id, self.content, case.language, case.destination)
                        ids.append(await self.outbox.post(case.user_id, text, case_id=case.id))
                await self.cases.mark_hotlines_sent(case.id, now)
        return ids

    async def purge(self) -> int:
        purged = await self.cases.purge(self.retention)
        if purged:
            log.info("retention: deleted the messages of %d closed cases", purged)
        return purged
