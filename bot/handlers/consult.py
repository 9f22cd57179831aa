"""A person asks for a consultant: consent, an optional description, a language; then the conversation.

Nothing is shared before the person agrees, and only what the consent screen names. While a case is
open, whatever the person sends (text, photo, voice, file, location) is kept with the case and passed
to the consultant; /end closes the conversation.
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import EscCb, MenuCb
from bot.content import Content, format_day
from bot.handlers.common import private_router, show, stale_button
from bot.handlers.selfcheck import Screening
from bot.i18n import LANGUAGE_NAMES
from bot.models import LANGUAGES, Case, User
from bot.screens import common, keyboards
from bot.screens import guide as screens
from bot.screens import words as texts
from bot.services.desk import KINDS, CaseError, Draft
from bot.services.users import language_order
from bot.states import Consent
from bot.telegram.desk import Desk

MAX_DESCRIPTION = 1000


def _row(label: str, data: EscCb) -> list[Any]:
    return [common.button(label, data.pack())]


def consent_screen(kind: str, has_answers: bool, ngo: str) -> tuple[str, InlineKeyboardMarkup]:
    who = ngo or _("our partner organisation")
    lines = [
        _("<b>💬 Talk to a consultant</b>"),
        _("A consultant of {who} will write to you here, in this chat. It is free and confidential.").format(who=who),
        "",
        _("<b>What the consultant will see:</b>"),
        _("• the reason you ask, your country and destination, your language;"),
    ]
    if has_answers:
        lines.append(_("• your self-check answers, only if you agree on the next screen;"))
    lines += [
        _("• what you write here from now on, including photos and files."),
        _("They will <b>not</b> see your phone number or your Telegram account."),
        "",
        _("You can stop at any time with /end, and delete your data with /forget."),
    ]
    rows = [_row(_("✅ I agree, connect me"), EscCb(step="agree")), _row(_("❌ No, thanks"), EscCb(step="cancel"))]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def describe_screen() -> tuple[str, InlineKeyboardMarkup]:
    text = _(
        "In a few words, what happened? This helps the consultant. "
        "Do not send passwords or card numbers.\n\nOr tap \"Skip\"."
    )
    return text, InlineKeyboardMarkup(inline_keyboard=[_row(_("⏭ Skip"), EscCb(step="skip"))])


def language_screen(current: str) -> tuple[str, InlineKeyboardMarkup]:
    text = _("In which language should the consultant write to you?")
    rows = [_row(("✅ " if code == current else "") + LANGUAGE_NAMES[code], EscCb(step="lang", value=code))
            for code in language_order(current)]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def username_screen(username: str) -> tuple[str, InlineKeyboardMarkup]:
    text = _("May the consultant see your Telegram name @{username}? Then they can also write to you directly.").format(username=username)
    rows = [_row(_("No, only through the bot"), EscCb(step="user", value="n")), _row(_("Yes, show it"), EscCb(step="user", value="y"))]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def opened_text(desk: Desk, case: Case, content: Content, language: str, destination: str | None) -> str:
    """What a person is told when their case is opened: its number, when to expect a consultant, and
    that what they send now goes to the consultant."""
    with desk.speaking(language):
        parts = [_("✅ <b>Request No. {number} is sent.</b>").format(number=case.id)]
        opens = desk.opens_at(case)
        if opens is not None:
            parts.append(_(
                "Consultants are not at work now. They will answer from {day}, {time} ({zone} time). "
                "If you need help now, call:"
            ).format(day=format_day(opens.date(), language), time=f"{opens:%H:%M}", zone=opens.tzname()))
            parts.append(screens.urgent_text(content, language, destination))
        else:
            parts.append(_("A consultant will write to you here, in {language}. It usually takes less than {minutes} minutes.").format(
                language=texts.LANGUAGE_IN[language], minutes=desk.config.hotlines_minutes))
            if case.level in ("emergency", "high") or case.kind == "danger":
                parts.append(screens.urgent_text(content, language, destination))
        parts.append(_("Everything you send here now goes to the consultant: text, photos, voice, files, location. To stop, send /end."))
        return "\n\n".join(parts)


def router() -> Router:
    router = private_router("escalation")

    @router.message(Command("consult"))
    @router.callback_query(MenuCb.filter(F.section == "consult"))
    async def from_menu(event: Message | CallbackQuery, state: FSMContext, desk: Desk, content: Content, locale: str, user: User) -> None:
        await begin(event, state, desk, content, locale, user, "request")

    @router.callback_query(EscCb.filter(F.step == "start"))
    async def from_button(query: CallbackQuery, callback_data: EscCb, state: FSMContext, desk: Desk, content: Content, locale: str, user: User) -> None:
        kind = callback_data.value if callback_data.value in KINDS else "request"
        await begin(query, state, desk, content, locale, user, kind)

    async def begin(event: Message | CallbackQuery, state: FSMContext, desk: Desk, content: Content, locale: str, user: User, kind: str) -> None:
        if not desk.available:
            text = _("Consultants are not connected to this bot yet. Please call a hotline:")
            await show(event, f"{text}\n\n{screens.urgent_text(content, locale, user.destination)}", keyboards.back_to_menu())
            return
        case = await desk.cases.open_case_of(user.id)
        if case is not None:
            text = _(
                "Your request No. {number} is open. Write here: the consultant reads everything you send. "
                "To stop the conversation, send /end."
            ).format(number=case.id)
            await show(event, text, keyboards.back_to_menu())
            return
        screening = await state.get_data() if await state.get_state() == Screening.result.state else {}
        if kind == "screening" and not screening:
            kind = "request"  # the result is gone (restart, or a very old button): ask without it
        draft: dict[str, Any] = {"kind": kind, "level": "unknown", "indicators": [], "answers": None}
        if kind == "screening":
            draft.update(level=screening["level"], indicators=screening["indicators"], answers=screening["answers"])
        await state.set_state(Consent.agreeing)
        await state.set_data({"draft": draft})
        await show(event, *consent_screen(kind, bool(draft["answers"]), desk.config.ngo_name))

    @router.callback_query(EscCb.filter(F.step == "cancel"))
    async def cancel(query: CallbackQuery, state: FSMContext) -> None:
        await state.clear()  # the self-check answers go too
        await show(query, _("Nothing was shared. You can ask for a consultant at any time from the menu."), keyboards.back_to_menu())

    @router.callback_query(EscCb.filter(F.step == "agree"), Consent.agreeing)
    async def agreed(query: CallbackQuery, state: FSMContext) -> None:
        draft = (await state.get_data())["draft"]
        if draft.get("answers"):
            await state.set_state(Consent.sharing)
            text = _("Share your self-check answers with the consultant? It saves you telling it again.")
            rows = [_row(_("Yes, share them"), EscCb(step="share", value="y")), _row(_("No, keep them private"), EscCb(step="share", value="n"))]
            await show(query, text, InlineKeyboardMarkup(inline_keyboard=rows))
            return
        await state.set_state(Consent.describing)
        await show(query, *describe_screen())

    @router.callback_query(EscCb.filter(F.step == "share"), Consent.sharing)
    async def shared(query: CallbackQuery, callback_data: EscCb, state: FSMContext) -> None:
        draft = (await state.get_data())["draft"]
        if callback_data.value != "y":
            draft["answers"] = None
        await state.update_data(draft=draft)
        await state.set_state(Consent.describing)
        await show(query, *describe_screen())

    @router.message(Consent.describing, F.text, ~F.text.startswith("/"))
    async def described(message: Message, state: FSMContext, locale: str) -> None:
        draft = (await state.get_data())["draft"]
        draft["description"] = (message.text or "")[:MAX_DESCRIPTION]
        await state.update_data(draft=draft)
        await state.set_state(Consent.language)
        text, markup = language_screen(locale)
        await message.answer(text, reply_markup=markup)

    @router.message(Consent.describing, ~F.text)
    async def described_with_media(message: Message) -> None:
        await message.answer(
            _("Please describe it in words, or tap \"Skip\". You can send photos and files to the consultant after this."),
            reply_markup=describe_screen()[1],
        )

    @router.callback_query(EscCb.filter(F.step == "skip"), Consent.describing)
    async def skipped(query: CallbackQuery, state: FSMContext, locale: str) -> None:
        await state.set_state(Consent.language)
        await show(query, *language_screen(locale))

    @router.callback_query(EscCb.filter(F.step == "lang"), Consent.language)
    async def language_chosen(
        query: CallbackQuery, callback_data: EscCb, state: FSMContext, desk: Desk, content: Content, user: User
    ) -> None:
        if callback_data.value not in LANGUAGES:
            await stale_button(query)
            return
        draft = (await state.get_data())["draft"]
        draft["language"] = callback_data.value
        await state.update_data(draft=draft)
        username = query.from_user.username
        if username:
            await state.set_state(Consent.username)
            await show(query, *username_screen(username))
            return
        await query.answer()
        await finish(query, state, desk, content, user, draft)

    @router.callback_query(EscCb.filter(F.step == "user"), Consent.username)
    async def username_chosen(query: CallbackQuery, callback_data: EscCb, state: FSMContext, desk: Desk, content: Content, user: User) -> None:
        draft = (await state.get_data())["draft"]
        draft["username"] = query.from_user.username if callback_data.value == "y" else None
        await query.answer()
        await finish(query, state, desk, content, user, draft)

    async def finish(query: CallbackQuery, state: FSMContext, desk: Desk, content: Content, user: User, draft: dict[str, Any]) -> None:
        language = draft.get("language") or user.language or desk.config.default_language
        try:
            case = await desk.open_case(Draft(
                user_id=user.id, kind=draft["kind"], level=draft["level"], language=language,
                indicators=tuple(draft.get("indicators") or ()), answers=draft.get("answers"),
                description=draft.get("description"), destination=user.destination, citizenship=user.citizenship,
                username=draft.get("username"),
            ))
        except CaseError as error:
            await state.clear()
            if error.reason == "open_exists" and error.case is not None:
                await show(query, _("Your request No. {number} is open. Write here: the consultant reads everything you send.").format(number=error.case.id), keyboards.back_to_menu(), answer=False)
                return
            raise
        await state.clear()  # the answers now live with the case, if shared, and nowhere else
        await show(query, opened_text(desk, case, content, language, user.destination), keyboards.back_to_menu(), answer=False)

    @router.message(Command("end"))
    async def end(message: Message, desk: Desk) -> None:
        case = await desk.end_by_person(message.from_user.id)
        if case is None:
            await message.answer(_("You have no open conversation with a consultant."), reply_markup=keyboards.main_menu())
            return
        await message.answer(
            _("The conversation for request No. {number} has ended. Thank you. If you need help again, open the menu.").format(number=case.id),
            reply_markup=keyboards.main_menu(),
        )

    # Whatever the person sends while a case is open goes to the case (commands and buttons still work).
    async def open_case(message: Message, desk: Desk, user: User) -> dict[str, Any] | bool:
        if message.text is not None and message.text.startswith("/"):
            return False
        case = await desk.cases.open_case_of(user.id)
        return {"case": case} if case is not None else False

    # In any state (a self-check, a profile question): a message to the consultant must never be lost.
    @router.message(open_case)
    async def to_consultant(message: Message, desk: Desk, case: Case) -> None:
        if await desk.from_person(case, message) == "first_waiting":
            await message.answer(_("Received. The consultant will see it as soon as they take your request No. {number}.").format(number=case.id))

    return router
