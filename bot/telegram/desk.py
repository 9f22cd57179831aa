"""The escalation desk: turns case events into posts (alerts, summaries, relayed messages, notices).

Handlers and scheduled jobs call the desk; it calls the case service for the rules and queues what
must be said in the outbox, in the same transaction, then tries to send it at once. Every text is
rendered in the language of whoever reads it: the team's for alerts, the consultant's own, the
person's chosen one. What people write is escaped before a consultant sees it.
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
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from bot.callbacks import TakeCb
from bot.config import Settings
from bot.content import Content, format_day
from bot.i18n import CatalogI18n
from bot.models import Case, CaseMessage
from bot.screens import agency as agency_screens
from bot.screens import common, keyboards
from bot.screens import guide as screens
from bot.screens import words as texts
from bot.services.desk import Actor, CaseError, CaseService, Draft, Taken
from bot.services.selfcheck import QUESTION_IDS
from bot.telegram.outbox import Outbox

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CAPTIONED = {"photo", "video", "document", "voice", "audio", "animation"}
ANSWER_WORDS = {"y": "✅", "n": "❌", "u": "❔", "s": "—"}


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

    # ------------------------------------------------------------------ texts
    def _waited(self, case: Case, now: datetime) -> int:
        return max(0, int((now - case.waiting_since).total_seconds() // 60))

    def _facts_lines(self, case: Case) -> list[str]:
        lines = [f"{texts.LEVEL_ICONS.get(case.level, '')} <b>{texts.LEVELS[case.level]}</b> · {texts.KINDS[case.kind]}"]
        where = []
        if case.destination and case.destination != "XX":
            where.append(_("Destination: {country}").format(country=common.flagged(case.destination)))
        if case.citizenship and case.citizenship != "XX":
            where.append(_("Citizen of: {country}").format(country=common.flagged(case.citizenship)))
        if where:
            lines.append(" · ".join(where))
        lines.append(_("Language: {language}").format(language=texts.LANGUAGE_IN[case.language]))
        if case.subject and case.subject.get("agency"):
            lines += self._agency_lines(case.subject)
        if case.indicators:
            signs = "; ".join(str(texts.INDICATORS[i]) for i in case.indicators if i in texts.INDICATORS)
            lines.append(_("Signs: {signs}").format(signs=signs))
        if case.username:
            lines.append(_("Telegram: @{username} (the person agreed to show it)").format(username=escape(case.username)))
        return lines

    def _agency_lines(self, subject: dict[str, Any]) -> list[str]:
        status = subject.get("status") or "not_found"
        about = escape(subject["agency"])
        if subject.get("registry"):
            about += f" · {common.flagged(subject['registry'])}"
        if subject.get("permit"):
            about += " · " + _("permit No. {number}").format(number=escape(subject["permit"]))
        lines = [_("🏢 Agency: {agency}").format(agency=about),
                 _("Registry: {status}").format(status=f"{agency_screens.STATUS_ICONS.get(status, '')} {agency_screens.STATUS_NAMES.get(status, status)}")]
        flags = [str(agency_screens.FLAG_NAMES[f]) for f in subject.get("flags") or () if f in agency_screens.FLAG_NAMES]
        if flags:
            lines.append(_("Red flags: {flags}").format(flags=", ".join(flags)))
        return lines

    def alert_text(self, case: Case, now: datetime, *, again: bool = False) -> str:
        head = (_("⏰ <b>Still waiting: case No. {number}</b>") if again else _("🆘 <b>New case No. {number}</b>")).format(number=case.id)
        lines = [head, *self._facts_lines(case)]
        lines.append(_("Waiting: {minutes} min").format(minutes=self._waited(case, now)))
        return "\n".join(lines)

    def alert_markup(self, case: Case) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[[
            InlineKeyboardButton(text=_("✋ Take case No. {number}").format(number=case.id), callback_data=TakeCb(case=case.id).pack())
        ]])

    def alert_after(self, case: Case) -> str:
        head = _("<b>Case No. {number}</b>").format(number=case.id)
        lines = [head, *self._facts_lines(case)]
        if case.status == "taken":
            lines.append(_("✅ Taken by {name}").format(name=escape(case.consultant_name or "?")))
        elif case.status == "closed":
            lines.append(_("☑️ Closed: {outcome}").format(outcome=texts.OUTCOMES.get(case.outcome or "", case.outcome or "")))
        return "\n".join(lines)

    def summary(self, case: Case, history: list[CaseMessage]) -> str:
        now = self.clock()
        lines = [_("📂 <b>Case No. {number}</b>").format(number=case.id), *self._facts_lines(case)]
        lines.append(_("Opened: {day}, waited {minutes} min").format(
            day=f"{format_day(case.created_at.date(), self.i18n.current_locale)} {case.created_at:%H:%M} UTC",
            minutes=max(0, int(((case.taken_at or now) - case.waiting_since).total_seconds() // 60)),
        ))
        if case.description:
            lines.append(_("What happened, in the person's words:") + f"\n«{escape(case.description)}»")
        if case.subject and case.subject.get("contact"):
            lines.append(_("Contact the person gave: {contact}").format(contact=escape(case.subject["contact"])))
        if case.answers:
            lines.append(_("Self-check answers (shared by the person):"))
            for question in QUESTION_IDS:
                answer = case.answers.get(question)
                if answer and answer != "s":
                    lines.append(f"{ANSWER_WORDS.get(answer, '?')} {texts.QUESTIONS[question]}")
        waiting = [m for m in history if m.direction == "in" and not m.delivered]
        if waiting:
            lines.append(_("Messages from the person that waited for you: {count}, below.").format(count=len(waiting)))
        lines.append("")
        lines.append(_(
            "✍️ Write here, or reply to a message of this case: the person gets your words signed "
            "\"{signature}\", never your account.\n"
            "/note text: internal note · /transfer: back to the group · /close: close with an outcome · "
            "/cases: your cases · /case N: switch case"
        ).format(signature=self.signature()))
        return "\n".join(lines)[:TEXT_LIMIT]

    def signature(self) -> str:
        name = _("Consultant")
        return f"{name}, {self.config.ngo_name}" if self.config.ngo_name else name

    # ------------------------------------------------------------------ opening a case
    async def open_case(self, draft: Draft) -> Case:
        """Create the case and queue its alert in one transaction, then try to post the alert at once."""
        now = self.clock()
        async with self.cases.db.transaction():
            case = await self.cases.open(draft)
            team = self.cases.team_of(case)
            assert team is not None
            with self.speaking(self.team_locale):
                item = await self.outbox.post(team.chat_id, self.alert_text(case, now), self.alert_markup(case), case_id=case.id, track="alert")
            await self.cases.mark_alerted(case.id, now)
            if not team.is_open(now):
                await self.cases.mark_hotlines_sent(case.id, now)  # the person gets the hotlines at once
        await self.outbox.flush([item])
        return case

    def opens_at(self, case: Case) -> datetime | None:
        """When the case's team is next at work, or None if it is at work now."""
        team = self.cases.team_of(case)
        now = self.clock()
        if team is None or team.hours is None or team.is_open(now):
            return None
        return team.hours.next_open(now)

    # ------------------------------------------------------------------ taking
    async def take(self, case_id: int, actor: Actor) -> tuple[str, Taken | None]:
        """'won' | 'lost' | 'need_start' (the consultant never opened a chat with the bot) | 'not_found'."""
        try:
            taken = await self.cases.take(case_id, actor)
        except CaseError:
            return "not_found", None
        if not taken.won:
            return "lost", taken
        case = taken.case
        history = await self.cases.history(case.id)
        try:
            summary = await self.bot.send_message(actor.id, self.summary(case, history))
        except (TelegramForbiddenError, TelegramBadRequest):
            await self.cases.release(case.id, actor, "consultant has no private chat with the bot")
            return "need_start", taken
        ids: list[int] = []
        async with self.cases.db.transaction():
            await self.cases.add_post(actor.id, summary.message_id, case.id, "relay")
            ids += await self._queue_to_consultant(case, actor.id, [m for m in history if m.direction == "in" and not m.delivered])
            ids += await self._edit_alerts(case)
            if case.user_id is not None:
                with self.speaking(case.language):
                    ids.append(await self.outbox.post(case.user_id, _(
                        "👋 A consultant has taken your request No. {number} and will write to you here soon."
                    ).format(number=case.id), case_id=case.id))
        await self.outbox.flush(ids)
        return "won", taken

    async def _edit_alerts(self, case: Case) -> list[int]:
        fresh = await self.cases.get(case.id)
        assert fresh is not None
        ids = []
        with self.speaking(self.team_locale):
            text = self.alert_after(fresh)
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
            header = f"👤 <b>№{case.id}</b>"
            if item.kind == "text":
                ids += await self._post_text(consultant_id, header, item.text or "", case_id=case.id, track="relay", source_id=item.id)
                continue
            caption = f"{header}: {escape(item.text)}" if item.text else header
            if item.kind in CAPTIONED and len(caption) <= CAPTION_LIMIT:
                ids.append(await self.outbox.copy(consultant_id, item.chat_id, item.message_id, caption, case_id=case.id, track="relay", source_id=item.id))
                continue
            with self.speaking(self.team_locale):
                label = texts.MEDIA_NAMES.get(item.kind, item.kind)
                ids.append(await self.outbox.post(consultant_id, f"{header}: {label} ⬇️", case_id=case.id, track="relay"))
                if item.text and item.kind in CAPTIONED:  # a caption too long to add a header to
                    ids += await self._post_text(consultant_id, header, item.text, case_id=case.id, track="relay")
            ids.append(await self.outbox.copy(consultant_id, item.chat_id, item.message_id, case_id=case.id, track="relay", source_id=item.id))
        return ids

    async def from_person(self, case: Case, message: Message) -> str:
        """Keep what the person sent and pass it on: 'relayed' | 'waiting' (not taken yet; 'first_waiting' for the
        first such message) | 'again' (seen before)."""
        kind = message_kind(message)
        text = message.text if message.text is not None else message.caption
        async with self.cases.db.transaction():
            row = await self.cases.record(case, "in", kind, text, message.chat.id, message.message_id)
            if row is None:
                return "again"
            ids: list[int] = []
            first = False
            if case.status == "taken" and case.consultant_id is not None:
                kept = await self.cases.message(row)
                with self.speaking(self.team_locale):
                    ids = await self._queue_to_consultant(case, case.consultant_id, [kept])
            else:
                first = await self.cases.count_from_person(case.id) == 1
        if case.status != "taken":
            log.info("case %s: message kept until a consultant takes it", case.id)
            return "first_waiting" if first else "waiting"
        await self.outbox.flush(ids)
        return "relayed"

    async def from_consultant(self, case: Case, actor: Actor, message: Message, consultant_locale: str) -> str:
        """Pass a consultant's message to the person, signed; 'relayed' | 'again' | 'gone'."""
        if case.user_id is None:
            return "gone"
        kind = message_kind(message)
        text = message.text if message.text is not None else message.caption
        with self.speaking(consultant_locale):
            failed = _("Case No. {number}: your message was not delivered: the person has blocked the bot or deleted the chat.").format(number=case.id)
        ids: list[int] = []
        async with self.cases.db.transaction():
            row = await self.cases.record(case, "out", kind, text, message.chat.id, message.message_id, author_id=actor.id)
            if row is None:
                return "again"
            with self.speaking(case.language):
                signature = f"💬 <b>{escape(self.signature())}</b>"
                notice = (actor.id, failed)
                if kind == "text":
                    ids += await self._post_text(case.user_id, signature, text or "", case_id=case.id, source_id=row, failed_notice=notice)
                elif kind in CAPTIONED and len(f"{signature}\n{escape(text or '')}") <= CAPTION_LIMIT:
                    caption = f"{signature}\n{escape(text)}" if text else signature
                    ids.append(await self.outbox.copy(case.user_id, message.chat.id, message.message_id, caption, case_id=case.id, source_id=row, failed_notice=notice))
                else:
                    ids.append(await self.outbox.post(case.user_id, signature, case_id=case.id, failed_notice=notice))
                    if text and kind in CAPTIONED:
                        ids.append(await self.outbox.post(case.user_id, escape(text)[:TEXT_LIMIT], case_id=case.id))
                    ids.append(await self.outbox.copy(case.user_id, message.chat.id, message.message_id, case_id=case.id, source_id=row, failed_notice=notice))
        await self.outbox.flush(ids)
        return "relayed"

    # ------------------------------------------------------------------ ending
    async def transfer(self, case_id: int, actor: Actor) -> Case:
        now = self.clock()
        async with self.cases.db.transaction():
            case = await self.cases.transfer(case_id, actor)
            team = self.cases.team_of(case)
            assert team is not None
            ids = []
            with self.speaking(self.team_locale):
                ids.append(await self.outbox.post(
                    team.chat_id, _("↩️ Returned to the group by {name}").format(name=escape(actor.name)) + "\n" + self.alert_text(case, now),
                    self.alert_markup(case), case_id=case.id, track="alert",
                ))
            await self.cases.mark_alerted(case.id, now)
            if case.user_id is not None:
                with self.speaking(case.language):
                    ids.append(await self.outbox.post(case.user_id, _(
                        "Your request No. {number} is passed to another consultant. They will write to you here."
                    ).format(number=case.id), case_id=case.id))
        await self.outbox.flush(ids)
        return case

    async def close(self, case_id: int, actor: Actor, outcome: str) -> Case:
        async with self.cases.db.transaction():
            case = await self.cases.close(case_id, actor, outcome)
            ids = await self._edit_alerts(case)
            if case.user_id is not None and case.outcome != "ended_by_person":
                with self.speaking(case.language):
                    ids.append(await self.outbox.post(case.user_id, _(
                        "The consultant has closed your request No. {number}. If you need help again, "
                        "open the menu and choose \"Talk to a consultant\"."
                    ).format(number=case.id), keyboards.back_to_menu(), case_id=case.id))
        await self.outbox.flush(ids)
        return case

    async def end_by_person(self, user_id: int) -> Case | None:
        async with self.cases.db.transaction():
            case = await self.cases.end_by_person(user_id)
            if case is None:
                return None
            ids = await self._consultant_notice(case, __("Case No. {number}: the person ended the conversation. Send /close {number} to record the outcome."))
        await self.outbox.flush(ids)
        return case

    async def forgotten(self, closed: list[Case]) -> None:
        """The person deleted their data (bot.services.privacy), closing these cases: tell their consultants."""
        async with self.cases.db.transaction():
            ids = []
            for case in closed:
                ids += await self._consultant_notice(case, __("Case No. {number}: the person deleted their data. The case is closed and its messages are deleted."))
        await self.outbox.flush(ids)

    async def _consultant_notice(self, case: Case, notice: LazyProxy) -> list[int]:
        """Tell the consultant holding the case (in the team's language), and update the group's alerts."""
        ids = await self._edit_alerts(case)
        if case.consultant_id is not None:
            with self.speaking(self.team_locale):
                ids.append(await self.outbox.post(case.consultant_id, str(notice).format(number=case.id), case_id=case.id))
        return ids

    # ------------------------------------------------------------------ response-time rules and retention
    async def tick(self) -> None:
        """Every half minute: alert again what waits too long; give waiting people the hotlines."""
        now = self.clock()
        ids: list[int] = []
        for case in await self.cases.due_for_realert(now, self.realert_after):
            team = self.cases.team_of(case)
            if team is None:
                continue
            async with self.cases.db.transaction():
                with self.speaking(self.team_locale):
                    ids.append(await self.outbox.post(team.chat_id, self.alert_text(case, now, again=True), self.alert_markup(case), case_id=case.id, track="alert"))
                await self.cases.mark_alerted(case.id, now)
            log.info("case %s re-alerted after %s min", case.id, self._waited(case, now))
        for case in await self.cases.due_for_hotlines(now, self.hotlines_after):
            async with self.cases.db.transaction():
                if case.user_id is not None:
                    with self.speaking(case.language):
                        text = _(
                            "Your request No. {number} is still waiting: all consultants are busy. "
                            "A consultant will write to you as soon as possible. Meanwhile you can call:"
                        ).format(number=case.id)
                        text = f"{text}\n\n{screens.urgent_text(self.content, case.language, case.destination)}"
                        ids.append(await self.outbox.post(case.user_id, text, case_id=case.id))
                await self.cases.mark_hotlines_sent(case.id, now)
        await self.outbox.flush(ids)

    async def purge(self) -> int:
        purged = await self.cases.purge(self.retention)
        if purged:
            log.info("retention: deleted the messages of %d closed cases", purged)
        return purged
