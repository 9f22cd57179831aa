"""The desk: turns case events into posts (alerts, summaries, relayed messages, notices).

Handlers and scheduled jobs call the desk; it calls the case service for the rules and queues what
must be said in the outbox, in the same transaction, then tries to send it at once. The words are
in bot/screens/desk.py; the desk picks the language of whoever reads them: the team's for alerts,
the consultant's own, the person's chosen one. What people write is escaped before anyone sees it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError, TelegramNetworkError
from aiogram.types import InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.content import Content
from bot.i18n import CatalogI18n
from bot.models import Case, CaseMessage
from bot.screens import consult as screens_consult
from bot.screens import desk as screens
from bot.screens.desk import TEXT_LIMIT
from bot.screens.guide import Where
from bot.services.desk import Actor, CaseError, CaseService, Consultant, Draft, Taken
from bot.services.teams import Team
from bot.telegram.forum import Forums, lacks_rights, not_a_forum, topic_gone, topic_link, unchanged
from bot.telegram.journal import unrecorded
from bot.telegram.outbox import Notice, Outbox

if TYPE_CHECKING:
    from bot.telegram.referral import Referrer

log = logging.getLogger(__name__)

CAPTION_LIMIT = 1024
CAPTIONED = {"photo", "video", "document", "voice", "audio", "animation"}
Room = tuple[int, int | None]  # where a case is talked about: a forum topic (group, topic) or a private chat (id, None)


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
        self.forums = Forums(bot, clock)
        outbox.topic_gone = self.topic_gone
        self.referrals: Referrer | None = None  # bot/telegram/referral.py, when built: referred cases' status to their first team
        self._topic_lock = asyncio.Lock()  # one topic creation at a time: a case never gets two
        self._board_lock = asyncio.Lock()

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
        """Create the case and queue its alert in one transaction, then post the alert (in a forum group: in
        the case's new topic) and update the group's board."""
        team = self.cases.teams.route(draft.citizenship, draft.language)
        if team is not None:
            await self.forums.usable(team.chat_id)  # known before the transaction, which asks it again
        async with self.cases.db.transaction():
            case = await self.cases.open(draft)
            item = await self.queue_alert(case)
        await self.send_queued([item] if item is not None else [])
        return await self.cases.get(case.id) or case

    async def send_queued(self, ids: list[int]) -> None:
        """Send what a use case queued for the desk (an alert, notices) once its transaction has committed;
        then the topics of new cases and the boards."""
        await self.outbox.flush(ids)
        await self.settle()

    async def queue_alert(self, case: Case) -> int | None:
        """Queue the alert of a case just opened in the caller's transaction (an agency report opens one
        with the report); returns the outbox item, for the caller to flush once that transaction commits.
        In a forum group nothing is queued: the alert goes into the case's topic, made once this commits
        (`settle`, and the desk's tick if the process stops in between)."""
        now = self.clock()
        team = self.cases.team_of(case)
        assert team is not None
        if not team.is_open(now):
            await self.cases.mark_hotlines_sent(case.id, now)  # the person gets the hotlines at once
        if await self.forums.usable(team.chat_id):
            return None
        item = await self._post_alert((team.chat_id, None), case, now)
        await self._tell_missing_right(team.chat_id)
        return item

    async def _post_alert(self, room: Room, case: Case, now: datetime, *, again: bool = False, returned_by: str | None = None) -> int:
        """Queue an alert with its Take button in the team's group or the case's topic (inside the caller's
        transaction)."""
        with self.speaking(self.team_locale):
            alert = screens.alert(case, now, again=again, returned_by=returned_by)
            item = await self.outbox.post(room[0], alert.text, alert.markup, case_id=case.id, track="alert", thread=room[1])
        await self.cases.mark_alerted(case.id, now)
        return item

    async def settle(self) -> None:
        """After the queue changed: waiting cases of a forum group get their topic, the boards show the queue.
        Without a forum group (known at once, from Forums), nothing is read: this runs after every change."""
        if not [team for team in self.cases.teams.teams if await self.forums.usable(team.chat_id)]:
            return
        for case in await self.cases.without_topic():
            await self.ensure_topic(case)
        await self.refresh_boards()

    # ------------------------------------------------------------------ topics
    async def ensure_topic(self, case: Case) -> Case:
        """A waiting case of a forum group gets its topic, with its alert in it: the person's topic of an
        earlier case is reopened, else a new one is made. If Telegram refuses (the right to manage topics
        was taken), the alert is posted in the group as in a group without topics."""
        team = self.cases.team_of(case)
        if case.topic is not None or case.status != "new" or team is None or not await self.forums.usable(team.chat_id):
            return case
        async with self._topic_lock:
            fresh = await self.cases.get(case.id)
            if fresh is None or fresh.topic is not None or fresh.status != "new":
                return fresh or case
            try:
                thread, reopened = await self._open_topic(team, fresh)
            except TelegramBadRequest as error:
                if not (lacks_rights(error) or not_a_forum(error)):  # unexpected: the tick tries again; the board lists it
                    log.warning("case %s: topic refused (%s): the desk's tick tries again", fresh.id, error.message)
                    return fresh
                self.forums.lost(team.chat_id, rights=lacks_rights(error))
                log.warning("case %s: no topic (%s): alerted in the group", fresh.id, error.message)
                return await self._alert_without_topic(team, fresh)
            except (TelegramAPIError, TelegramNetworkError) as error:
                log.warning("case %s: topic not made now (%s): the desk's tick tries again", fresh.id, type(error).__name__)
                return fresh
            return await self._into_topic(team, fresh, thread, reopened)

    async def _open_topic(self, team: Team, case: Case) -> tuple[int, bool]:
        """(topic, whether it is the person's earlier one, reopened)."""
        name = self.topic_name(case)
        earlier = await self.cases.topic_of_user(case.user_id, team.chat_id) if case.user_id is not None else None
        if earlier is not None and await self._reopen(team.chat_id, earlier, name):
            return earlier, True
        topic = await self.bot.create_forum_topic(team.chat_id, name, icon_color=screens.TOPIC_COLORS.get(case.level))
        return topic.message_thread_id, False

    async def _reopen(self, chat_id: int, thread: int, name: str) -> bool:
        """Open the person's earlier topic again under the new case's name; False when it is gone. What the
        earlier case still had queued for the topic (its close, its name) is dropped first: it must not
        close or rename the topic of the new case once sent."""
        await self.outbox.drop_topic_changes(chat_id, thread)
        try:
            await self.bot.reopen_forum_topic(chat_id, thread)
        except TelegramBadRequest as error:
            if topic_gone(error):
                return False
            if not unchanged(error):  # not closed (the person ended it, no one closed it yet): as wanted
                raise
        try:
            await self.bot.edit_forum_topic(chat_id, thread, name=name)
        except TelegramBadRequest as error:
            if not unchanged(error):
                raise
        return True

    async def _into_topic(self, team: Team, case: Case, thread: int, reopened: bool) -> Case:
        """The topic becomes the case's, with its alert, if the case still waits without one (it may have been
        taken, ended or forgotten while Telegram answered); else a topic made for it goes again."""
        ids: list[int] = []
        async with self.cases.db.transaction():
            placed = await self.cases.set_topic(case.id, team.chat_id, thread)
            fresh = await self.cases.get(case.id)
            assert fresh is not None
            if placed:
                ids.append(await self._post_alert((team.chat_id, thread), fresh, self.clock()))
            elif not reopened:
                ids.append(await self.outbox.topic(team.chat_id, thread, "delete"))
        log.info("case %s: topic %s %s", case.id, thread, ("reopened" if reopened else "made") if placed else "not needed now")
        await self.outbox.flush(ids)
        return fresh

    async def _alert_without_topic(self, team: Team, case: Case) -> Case:
        async with self.cases.db.transaction():
            ids = [await self._post_alert((team.chat_id, None), case, self.clock())]
            ids += await self._tell_missing_right(team.chat_id)
        await self.outbox.flush(ids)
        return case

    async def _tell_missing_right(self, chat_id: int) -> list[int]:
        """Once a run: the group has topics but the bot may not manage them; say what to give it."""
        if not self.forums.warn(chat_id):
            return []
        with self.speaking(self.team_locale):
            return [await self.outbox.post(chat_id, screens.needs_topic_right())]

    async def topic_gone(self, chat_id: int, thread: int) -> int | None:
        """A case's topic was deleted by hand while posts waited for it: an open case gets a new topic (its
        summary first); None for a closed case or none (what waited goes into General)."""
        case = await self.cases.case_of_topic(chat_id, thread)
        if case is None or not case.open:
            return None
        try:
            topic = await self.bot.create_forum_topic(chat_id, self.topic_name(case), icon_color=screens.TOPIC_COLORS.get(case.level))
        except (TelegramAPIError, TelegramNetworkError) as error:
            log.warning("case %s: its topic is gone and no new one was made: %s", case.id, type(error).__name__)
            return None
        thread = topic.message_thread_id
        await self.cases.set_topic(case.id, chat_id, thread, only_if_waiting=False)
        moved = await self.cases.get(case.id) or case
        with self.speaking(self.team_locale):
            if moved.status == "new":
                intro = screens.alert(moved, self.clock())
                texts = [(intro.text, intro.markup)]
            else:
                history = [m for m in await self.cases.history(case.id) if m.delivered]
                texts = [(screens.summary(moved, history, self.clock(), self.team_locale, self.config.ngo_name, in_topic=True), None)]
                if history:
                    texts.append((screens.conversation_so_far(history, handed_over=False), None))
        try:  # before what waited for the old topic, which the outbox sends next, in order
            with unrecorded():
                for text, markup in texts:
                    sent = await self.bot.send_message(chat_id, text, reply_markup=markup, message_thread_id=thread)
                    if markup is not None:
                        await self.cases.add_post(chat_id, sent.message_id, case.id, "alert")
        except (TelegramAPIError, TelegramNetworkError) as error:
            log.warning("case %s: the new topic's summary not posted: %s", case.id, type(error).__name__)
        log.info("case %s: its topic was deleted by hand, now topic %s", case.id, thread)
        return thread

    def topic_name(self, case: Case) -> str:
        with self.speaking(self.team_locale):
            return screens.topic_name(case)

    async def _rename(self, case: Case) -> list[int]:
        """Inside the caller's transaction: the topic's name says the case's state now."""
        if case.topic is None:
            return []
        return [await self.outbox.topic(*case.topic, "edit", self.topic_name(case), case_id=case.id)]

    def room(self, case: Case) -> Room | None:
        """Where the case is talked about: its topic, else the private chat of the consultant holding it."""
        if case.topic is not None:
            return case.topic
        return (case.consultant_id, None) if case.consultant_id is not None else None

    def room_locale(self, case: Case, consultant_locale: str) -> str:
        """A topic is read by the whole team, in its language; a private chat by the consultant, in theirs."""
        return self.team_locale if case.topic is not None else consultant_locale

    # ------------------------------------------------------------------ the board
    async def refresh_boards(self) -> None:
        """The queue board pinned in each forum group's General: edited in place when the queue changes (and
        each minute while someone waits, for the waiting times), posted and pinned when it is not there."""
        if not self.available:
            return
        async with self._board_lock:
            waiting = await self.cases.waiting()
            now = self.clock()
            for team in self.cases.teams.teams:
                if await self.forums.usable(team.chat_id):
                    mine = [c for c in waiting if self.cases.team_of(c) == team]
                    with self.speaking(self.team_locale):
                        board = screens.board(mine, now, lambda c: topic_link(*c.topic) if c.topic else None)
                    await self._show_board(team.chat_id, board.text, board.markup)

    async def _show_board(self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
        shown = await self.cases.board(chat_id)
        if shown is not None and shown[0] is not None and shown[1] == text:
            return
        try:
            if shown is not None and shown[0] is not None:
                try:
                    await self.bot.edit_message_text(text, chat_id=chat_id, message_id=shown[0], reply_markup=markup)
                    await self.cases.set_board(chat_id, shown[0], text)
                    return
                except TelegramBadRequest as error:
                    if unchanged(error):
                        await self.cases.set_board(chat_id, shown[0], text)
                        return
                    log.info("board of %s not edited (%s): posted anew", chat_id, error.message)
            with unrecorded():  # derived from the queue: a replay posts what the queue is then
                sent = await self.bot.send_message(chat_id, text, reply_markup=markup)
            await self.cases.set_board(chat_id, sent.message_id, text)
            await self._pin(chat_id, sent.message_id)
        except (TelegramAPIError, TelegramNetworkError) as error:
            log.warning("board of %s not shown now: %s", chat_id, type(error).__name__)

    async def _pin(self, chat_id: int, message_id: int) -> None:
        try:
            await self.bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except (TelegramAPIError, TelegramNetworkError) as error:
            log.info("board of %s not pinned (the bot may pin messages?): %s", chat_id, type(error).__name__)

    async def _ping(self, case: Case, now: datetime, kind: str) -> list[int]:
        """Inside the caller's transaction: one short notification in General for a case of a topic (it waits
        too long, it became more urgent, it is back in the queue), replacing the case's earlier one."""
        team = self.cases.team_of(case)
        if team is None:
            return []
        ids = await self._delete_posts(case, "ping")
        with self.speaking(self.team_locale):
            ping = screens.ping(case, now, kind, topic_link(*case.topic) if case.topic else None)
            ids.append(await self.outbox.post(team.chat_id, ping.text, ping.markup, case_id=case.id, track="ping"))
        await self.cases.mark_alerted(case.id, now)
        return ids

    async def _delete_posts(self, case: Case, kind: str) -> list[int]:
        """Queue the deletion of the case's posts of this kind ("ping", "alert"), forgetting them."""
        posts = await self.cases.drop_posts(case.id, kind)
        return [await self.outbox.delete(chat_id, message_id, case_id=case.id) for chat_id, message_id in posts]

    def opened_text(self, case: Case, content: Content, language: str, where: Where) -> str:
        """What the person reads once their case is open (also after an agency report): in their language,
        with the hours of the case's team, and the numbers for where they are."""
        with self.speaking(language):
            return screens_consult.opened_text(case, content, language, where, self.opens_at(case), self.config.hotlines_minutes)

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
        both. The same consultant taking again (a double tap, the update replayed) is told it is theirs.
        A case of a forum group is talked about in its topic (made now if it is not there yet)."""
        case = await self.cases.get(case_id)
        if case is None:
            return "not_found", None
        case = await self.ensure_topic(case)
        if case.status == "new" and case.topic is None and not await self.reachable(actor.id):
            return "need_start", None
        ids: list[int] = []
        async with self.cases.db.transaction():
            try:
                taken = await self.cases.take(case_id, actor)
            except CaseError:
                return "not_found", None
            if taken.won:
                ids = await self._queue_taken(taken.case, actor, self.i18n.current_locale)
        if not taken.won:
            mine = taken.case.status == "taken" and taken.case.consultant_id == actor.id
            return ("won" if mine else "lost"), taken
        await self.send_queued(ids)
        return "won", taken

    async def reachable(self, chat_id: int) -> bool:
        """Whether the bot can write to this person (they have opened a chat with it and not blocked it)."""
        try:
            await self.bot.send_chat_action(chat_id, "typing")
        except (TelegramForbiddenError, TelegramBadRequest):
            return False
        return True

    async def _queue_taken(
        self, case: Case, actor: Actor, consultant_locale: str, *, handed_by: str | None = None, why: str | None = None,
    ) -> list[int]:
        """Inside the take's transaction: in the case's room (its topic, or the consultant's private chat) the
        summary, what was said before a handover, the notes, then what the person wrote while waiting."""
        room = self.room(case)
        assert room is not None
        history = await self.cases.history(case.id)
        ids, referred = await self.referrals.taken(case, actor) if self.referrals is not None else ([], None)
        with self.speaking(self.room_locale(case, consultant_locale)):
            text = screens.summary(case, history, self.clock(), self.i18n.current_locale, self.config.ngo_name, in_topic=case.topic is not None)
            if handed_by is not None:
                text = screens.handed_to(case.id, handed_by, actor.name, actor.id, why) + "\n\n" + text
            ids.append(await self.outbox.post(room[0], text, case_id=case.id, track="relay", thread=room[1]))
            earlier = [m for m in history if m.delivered]  # said with a consultant before: the case was handed over (or referred)
            if earlier and (case.topic is None or referred is not None):  # a topic holds the conversation already, unless referred
                ids.append(await self.outbox.post(room[0], screens.conversation_so_far(earlier, head=referred), case_id=case.id, track="relay",
                                                  thread=room[1]))
            if case.topic is None:
                for _author, note, at in await self.cases.notes(case.id):
                    ids.append(await self.outbox.post(room[0], screens.note_text(note, at), case_id=case.id))
            ids += await self._queue_to_room(case, await self.cases.unqueued_from_person(case.id))
        ids += await self._edit_alerts(case)
        ids += await self._delete_posts(case, "ping")
        ids += await self._rename(case)
        if case.user_id is not None and handed_by is None:
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

    async def _queue_to_room(self, case: Case, messages: list[CaseMessage]) -> list[int]:
        """Queue what the person wrote into the case's room (inside the caller's speaking(), transaction)."""
        room = self.room(case)
        if room is None:
            return []
        chat_id, thread = room
        ids = []
        for item in messages:
            header = screens.from_person_header(case.id)
            queue: dict[str, Any] = {"case_id": case.id, "track": "relay", "thread": thread}
            if item.kind == "text":
                ids += await self._post_text(chat_id, header, item.text or "", source_id=item.id, **queue)
                continue
            caption = screens.captioned(header, item.text, ": ")
            if item.kind in CAPTIONED and len(caption) <= CAPTION_LIMIT:
                ids.append(await self.outbox.copy(chat_id, item.chat_id, item.message_id, caption, source_id=item.id, **queue))
                continue
            ids.append(await self.outbox.post(chat_id, screens.media_label(header, item.kind), **queue))
            if item.text and item.kind in CAPTIONED:  # a caption too long to add a header to
                ids += await self._post_text(chat_id, header, item.text, **queue)
            ids.append(await self.outbox.copy(chat_id, item.chat_id, item.message_id, source_id=item.id, **queue))
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
            if row is not None and taken:
                kept = await self.cases.message(row)
                with self.speaking(self.team_locale):
                    ids = await self._queue_to_room(case, [kept])
            first = not taken and await self.cases.count_from_person(case.id) == 1
            raised = await self.cases.heard_danger(case, text) if row is not None else None
            if raised is not None:
                ids += await self._raised(raised)
        await self.outbox.flush(ids)
        if raised is not None:
            await self.refresh_boards()
        if row is None:
            return "first_waiting" if first else "again"  # a replay says again what the first run said
        if not taken:
            log.info("case %s: message kept until a consultant takes it", case.id)
            return "first_waiting" if first else "waiting"
        return "relayed"

    async def _raised(self, case: Case) -> list[int]:
        """The case became more urgent: a waiting one is told to the group at once; a topic is renamed."""
        ids = await self._rename(case)
        team = self.cases.team_of(case) if case.status == "new" else None
        if team is None:
            return ids
        if case.topic is not None:
            return ids + await self._ping(case, self.clock(), "raised")
        return ids + await self._alert_again(team, case, self.clock())

    async def _alert_again(self, team: Team, case: Case, now: datetime) -> list[int]:
        """Inside the caller's transaction, a case without a topic: its earlier alert goes, a fresh one comes
        to the bottom of the group (one alert, one Take button per case)."""
        ids = await self._delete_posts(case, "alert")
        ids.append(await self._post_alert((team.chat_id, None), case, now, again=True))
        return ids

    async def from_consultant(self, case: Case, actor: Actor, message: Message, consultant_locale: str) -> str:
        """Pass a consultant's message to the person, signed; 'relayed' | 'again' | 'gone'."""
        if case.user_id is None:
            return "gone"
        kind = message_kind(message)
        text = message.text if message.text is not None else message.caption
        with self.speaking(self.room_locale(case, consultant_locale)):
            failed = screens.undelivered(case.id)
        notice: Notice = (case.topic[0], failed, case.topic[1]) if case.topic is not None else (actor.id, failed)
        ids: list[int] = []
        async with self.cases.db.transaction():
            row = await self.cases.record(case, "out", kind, text, message.chat.id, message.message_id, author_id=actor.id)
            if row is None:
                return "again"
            with self.speaking(case.language):
                ids = await self._to_person(case, case.user_id, message, kind, text, row, notice)
        await self.outbox.flush(ids)
        return "relayed"

    async def _to_person(
        self, case: Case, user_id: int, message: Message, kind: str, text: str | None, row: int, notice: Notice
    ) -> list[int]:
        signature = screens.signed_header(self.config.ngo_name)
        ids: list[int] = []
        if kind == "text":
            return await self._post_text(user_id, signature, text or "", case_id=case.id, source_id=row, failed_notice=notice)
        if kind in CAPTIONED and len(f"{signature}\n{escape(text or '')}") <= CAPTION_LIMIT:
            caption = screens.captioned(signature, text, "\n")
            return [await self.outbox.copy(
                user_id, message.chat.id, message.message_id, caption, case_id=case.id, source_id=row, failed_notice=notice
            )]
        ids.append(await self.outbox.post(user_id, signature, case_id=case.id, failed_notice=notice))
        if text and kind in CAPTIONED:
            ids.append(await self.outbox.post(user_id, escape(text)[:TEXT_LIMIT], case_id=case.id))
        ids.append(await self.outbox.copy(
            user_id, message.chat.id, message.message_id, case_id=case.id, source_id=row, failed_notice=notice
        ))
        return ids

    # ------------------------------------------------------------------ handing over, ending
    async def transfer(
        self, case_id: int, actor: Actor, reason: str | None = None, *, language: str | None = None,
        speakers: list[Consultant] | None = None,
    ) -> Case:
        """Back to the group: the case waits again (moved up the board, one notification, its topic renamed).
        For a `language`: the consultants who speak it are called by name."""
        now = self.clock()
        async with self.cases.db.transaction():
            case = await self.cases.transfer(case_id, actor)
            if reason:  # why it is handed over: a note the next consultant gets with the case
                await self.cases.note(case.id, actor, reason, check=False)
            team = self.cases.team_of(case)
            assert team is not None
            room: Room = case.topic or (team.chat_id, None)
            ids = await self._edit_alerts(case)  # no longer "taken by" the one who gave it back
            if case.topic is not None:
                ids += await self._ping(case, now, "returned") + await self._rename(case)
                with self.speaking(self.team_locale):
                    ids.append(await self.outbox.post(
                        room[0], screens.returned_line(case.id, actor.name, reason), case_id=case.id, thread=room[1]
                    ))
            else:
                ids.append(await self._post_alert(room, case, now, returned_by=actor.name))
            if language is not None:
                with self.speaking(self.team_locale):
                    call = screens.needs_speaker(case.id, language, [(c.id, c.name) for c in speakers or []])
                    ids.append(await self.outbox.post(room[0], call, case_id=case.id, thread=room[1]))
            if case.user_id is not None:
                with self.speaking(case.language):
                    ids.append(await self.outbox.post(case.user_id, screens.passed_on_notice(case.id), case_id=case.id))
        await self.send_queued(ids)
        return case

    async def hand_to(self, case_id: int, actor: Actor, to: Actor, reason: str | None) -> Case:
        """To a named consultant: the case is theirs at once, with the summary (and, without a topic, the
        conversation so far and the notes) and why it was handed over; in the team's language."""
        async with self.cases.db.transaction():
            case = await self.cases.hand_to(case_id, actor, to)
            if reason:
                await self.cases.note(case.id, actor, reason, check=False)
            ids = await self._queue_taken(case, to, self.team_locale, handed_by=actor.name, why=reason)
            if case.user_id is not None:
                with self.speaking(case.language):
                    ids.append(await self.outbox.post(case.user_id, screens.passed_on_notice(case.id), case_id=case.id))
        await self.send_queued(ids)
        return case

    async def close(self, case_id: int, actor: Actor, outcome: str) -> Case:
        async with self.cases.db.transaction():
            case = await self.cases.close(case_id, actor, outcome)
            ids = await self._edit_alerts(case) + await self._delete_posts(case, "ping") + await self._rename(case)
            if case.topic is not None:
                ids.append(await self.outbox.topic(*case.topic, "close", case_id=case.id))
            if self.referrals is not None:  # referred here: the team it came from hears it closed
                ids += await self.referrals.closed(case)
            if case.user_id is not None and case.outcome != "ended_by_person":
                with self.speaking(case.language):
                    notice = screens.closed_notice(case.id)
                    ids.append(await self.outbox.post(case.user_id, notice.text, notice.markup, case_id=case.id))
        await self.send_queued(ids)
        return case

    async def end_by_person(self, user_id: int) -> Case | None:
        async with self.cases.db.transaction():
            case = await self.cases.end_by_person(user_id)
            if case is None:
                return None
            ended = await self.cases.get(case.id) or case
            ids = await self._consultant_notice(ended, screens.person_ended) + await self._rename(ended)
        await self.send_queued(ids)
        return case

    async def queue_forgotten(self, closed: list[Case], every: list[Case]) -> list[int]:
        """The person deleted their data (bot.services.privacy), closing these cases: queue the notices to
        their consultants, and the deletion of the topics of all their cases (`every`), inside the caller's
        transaction; the caller flushes them once it commits."""
        ids: list[int] = []
        for case in closed:
            ids += await self._consultant_notice(case, screens.person_forgot, in_topic=False)
        topics = {case.topic: case.id for case in every if case.topic is not None}
        topics.update(await self._origin_topics(every))
        for (chat_id, thread), number in sorted(topics.items()):
            ids.append(await self._delete_topic(chat_id, thread, number))
        return ids

    async def _delete_topic(self, chat_id: int, thread: int, number: int) -> int:
        """Queue the deletion of a topic with every message in it; if Telegram refuses, the group is told
        what to do by hand."""
        with self.speaking(self.team_locale):
            failed = screens.topic_not_deleted(number)
        return await self.outbox.topic(chat_id, thread, "delete", case_id=number, failed_notice=(chat_id, failed))

    async def _consultant_notice(self, case: Case, notice: Callable[[int], str], *, in_topic: bool = True) -> list[int]:
        """Tell the consultant holding the case (in the team's language), and update the group's alerts. A
        topic case: said in its topic, or (when the topic goes) in the group's General."""
        ids = await self._edit_alerts(case) + await self._delete_posts(case, "ping")
        team = self.cases.team_of(case)
        with self.speaking(self.team_locale):
            if case.topic is not None and in_topic:
                ids.append(await self.outbox.post(case.topic[0], notice(case.id), case_id=case.id, thread=case.topic[1]))
            elif case.topic is not None and team is not None:
                ids.append(await self.outbox.post(team.chat_id, notice(case.id), case_id=case.id))
            elif case.consultant_id is not None:
                ids.append(await self.outbox.post(case.consultant_id, notice(case.id), case_id=case.id))
        return ids

    # ------------------------------------------------------------------ response-time rules and retention
    async def tick(self) -> None:
        """Every half minute: alert again what waits too long; give waiting people the hotlines; topics for
        new cases that have none yet; the boards' waiting times."""
        now = self.clock()
        ids = await self._realert(now)
        ids += await self._hotlines(now)
        await self.outbox.flush(ids)
        await self.settle()

    async def _realert(self, now: datetime) -> list[int]:
        """Alert again, most urgent first. A case with a topic: one short notification in General (the board
        moves it up); without: the case's earlier alert goes, a fresh one comes to the bottom of the group.
        Either way each waiting case has one alert, one Take button, and its waiting time up to date."""
        ids: list[int] = []
        for case in await self.cases.due_for_realert(now, self.realert_after):
            team = self.cases.team_of(case)
            if team is None:
                continue
            async with self.cases.db.transaction():
                if case.topic is not None:
                    ids += await self._ping(case, now, "waiting")
                else:
                    ids += await self._alert_again(team, case, now)
            log.info("case %s re-alerted after %s min", case.id, screens.waited(case, now))
        return ids

    async def _hotlines(self, now: datetime) -> list[int]:
        ids: list[int] = []
        for case in await self.cases.due_for_hotlines(now, self.hotlines_after):
            async with self.cases.db.transaction():
                if case.user_id is not None:
                    with self.speaking(case.language):
                        text = screens.still_waiting(case.id, self.content, case.language, Where(case.destination, case.citizenship))
                        ids.append(await self.outbox.post(case.user_id, text, case_id=case.id))
                await self.cases.mark_hotlines_sent(case.id, now)
        return ids

    async def purge(self) -> int:
        """Retention: what was said in cases closed long ago is deleted, and a topic no case needs any more
        goes with every message in it."""
        async with self.cases.db.transaction():
            purged = await self.cases.purge(self.retention)
            ids = []
            gone = {c.topic: c.id for c in purged if c.topic is not None} | await self._origin_topics(purged)
            for (chat_id, thread), number in sorted(gone.items()):
                if not await self.cases.topic_in_use(chat_id, thread, [c.id for c in purged]):
                    ids.append(await self._delete_topic(chat_id, thread, number))
        await self.outbox.flush(ids)
        if purged:
            log.info("retention: deleted the messages of %d closed cases", len(purged))
        return len(purged)

    # ------------------------------------------------------------------ news about a case from elsewhere
    async def tell(self, case: Case, notice: Callable[[int], str]) -> None:
        """Say something about a case where its consultants look: its topic, the private chat of whoever holds
        it, or the team's group while it waits without a topic (in the team's language)."""
        team = self.cases.team_of(case)
        room: Room | None = case.topic or ((case.consultant_id, None) if case.consultant_id is not None else None)
        if room is None and team is not None:
            room = (team.chat_id, None)
        if room is None:
            return
        with self.speaking(self.team_locale):
            item = await self.outbox.post(room[0], notice(case.id), case_id=case.id, thread=room[1])
        await self.outbox.flush([item])

    async def _origin_topics(self, cases: list[Case]) -> dict[tuple[int, int], int]:
        """The topics where the teams that referred these cases followed them (they go with the cases' own)."""
        return {(chat, thread): case.id for case in cases if case.referred_from for chat, thread in await self.cases.posts(case.id, "origin")}
