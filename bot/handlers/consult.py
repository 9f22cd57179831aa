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
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ConsultCb, ConsultStep, MenuCb, Section
from bot.content import Content
from bot.handlers.common import private_router, show, show_screen, stale_button
from bot.models import LANGUAGES, Case, User
from bot.screens import consult as screens
from bot.screens import keyboards
from bot.screens.guide import Where
from bot.services.desk import KINDS, CaseError, CaseService
from bot.services.users import language_order
from bot.states import Consent, ConsentData, Screening, SelfcheckResult
from bot.telegram.desk import Desk

MAX_DESCRIPTION = 1000


async def _load(state: FSMContext) -> ConsentData:
    return ConsentData.from_dict(await state.get_data())


# -- starting -------------------------------------------------------------------------------------
async def from_menu(
    event: Message | CallbackQuery, state: FSMContext, desk: Desk, cases: CaseService, content: Content, locale: str, user: User
) -> None:
    await begin(event, state, desk, cases, content, locale, user, "request")


async def from_button(
    query: CallbackQuery, callback_data: ConsultCb, state: FSMContext, desk: Desk, cases: CaseService, content: Content,
    locale: str, user: User,
) -> None:
    kind = callback_data.value if callback_data.value in KINDS else "request"
    await begin(query, state, desk, cases, content, locale, user, kind)


async def _selfcheck_result(state: FSMContext) -> SelfcheckResult | None:
    """The self-check result the person has just seen, if they have."""
    if await state.get_state() != Screening.result.state:
        return None
    return SelfcheckResult.from_dict(await state.get_data())


async def begin(
    event: Message | CallbackQuery, state: FSMContext, desk: Desk, cases: CaseService, content: Content, locale: str, user: User, kind: str
) -> None:
    if not desk.available:
        await show_screen(event, screens.unavailable(content, locale, Where.of(user)))
        return
    case = await cases.open_case_of(user.id)
    if case is not None:
        await show_screen(event, screens.already_open(case.id))
        return
    result = await _selfcheck_result(state)
    if kind == "screening" and result is None:
        kind = "request"  # the result is gone (restart, or a very old button): ask without it
    consent = ConsentData(kind=kind)
    if kind == "screening" and result is not None:
        consent = ConsentData(kind=kind, level=result.level, indicators=list(result.indicators), answers=dict(result.answers))
    await state.set_state(Consent.agreeing)
    await state.set_data(consent.to_dict())
    await show_screen(event, screens.consent_screen(bool(consent.answers), desk.config.ngo_name))


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()  # the self-check answers go too
    await show_screen(query, screens.cancelled())


# -- the questions --------------------------------------------------------------------------------
async def agreed(query: CallbackQuery, state: FSMContext) -> None:
    consent = await _load(state)
    if consent.answers:
        await state.set_state(Consent.sharing)
        await show_screen(query, screens.share_screen())
        return
    await state.set_state(Consent.describing)
    await show_screen(query, screens.describe_screen())


async def shared(query: CallbackQuery, callback_data: ConsultCb, state: FSMContext) -> None:
    consent = await _load(state)
    if callback_data.value != "y":
        consent.answers = None
    await state.update_data(consent.to_dict())
    await state.set_state(Consent.describing)
    await show_screen(query, screens.describe_screen())


async def described(message: Message, state: FSMContext, locale: str) -> None:
    consent = await _load(state)
    consent.description = (message.text or "")[:MAX_DESCRIPTION]
    await state.update_data(consent.to_dict())
    await state.set_state(Consent.language)
    await show_screen(message, screens.language_screen(locale, language_order(locale)))


async def described_with_media(message: Message) -> None:
    await show_screen(message, screens.describe_in_words())


async def skipped(query: CallbackQuery, state: FSMContext, locale: str) -> None:
    await state.set_state(Consent.language)
    await show_screen(query, screens.language_screen(locale, language_order(locale)))


async def typed_at_a_choice(message: Message, state: FSMContext, locale: str) -> None:
    """Words typed where a button was asked (the consultant's language, showing the Telegram name): nothing a
    person writes while asking for help is dropped. They join the description (and its triage), and the
    question is asked again, saying the request is not sent yet."""
    consent = await _load(state)
    consent.description = "\n".join(filter(None, [consent.description, (message.text or "").strip()]))[:MAX_DESCRIPTION]
    await state.update_data(consent.to_dict())
    username = message.from_user.username if message.from_user else None
    if await state.get_state() == Consent.username.state and username:
        question = screens.username_screen(username)
    else:
        question = screens.language_screen(locale, language_order(locale))
    await show_screen(message, screens.not_sent_yet(question))


async def language_chosen(
    query: CallbackQuery, callback_data: ConsultCb, state: FSMContext, desk: Desk, content: Content, user: User
) -> None:
    if callback_data.value not in LANGUAGES:
        await stale_button(query)
        return
    consent = await _load(state)
    consent.language = callback_data.value
    await state.update_data(consent.to_dict())
    username = query.from_user.username
    if username:
        await state.set_state(Consent.username)
        await show_screen(query, screens.username_screen(username))
        return
    await query.answer()
    await finish(query, state, desk, content, user, consent)


async def username_chosen(
    query: CallbackQuery, callback_data: ConsultCb, state: FSMContext, desk: Desk, content: Content, user: User
) -> None:
    consent = await _load(state)
    consent.username = query.from_user.username if callback_data.value == "y" else None
    await query.answer()
    await finish(query, state, desk, content, user, consent)


async def finish(query: CallbackQuery, state: FSMContext, desk: Desk, content: Content, user: User, consent: ConsentData) -> None:
    language = consent.language or user.language or desk.config.default_language
    try:
        case = await desk.open_case(consent.case_draft(user, language))
    except CaseError as error:
        await state.clear()
        if error.reason == "open_exists" and error.case is not None:
            await show_screen(query, screens.still_open(error.case.id), answer=False)
            return
        raise
    await state.clear()  # the answers now live with the case, if shared, and nowhere else
    await show(query, desk.opened_text(case, content, language, Where.of(user)), keyboards.back_to_menu(), answer=False)


# -- the conversation -----------------------------------------------------------------------------
async def end(message: Message, desk: Desk, user: User) -> None:
    case = await desk.end_by_person(user.id)
    await show_screen(message, screens.no_conversation() if case is None else screens.conversation_ended(case.id))


async def open_case(message: Message, cases: CaseService, user: User) -> dict[str, Any] | bool:
    """A filter: the person has an open case (commands are not for the consultant, and still work)."""
    if message.text is not None and message.text.startswith("/"):
        return False
    case = await cases.open_case_of(user.id)
    return {"case": case} if case is not None else False


async def to_consultant(message: Message, desk: Desk, case: Case) -> None:
    if await desk.from_person(case, message) == "first_waiting":
        await message.answer(screens.received_text(case.id))


def router() -> Router:
    router = private_router("consult")
    router.message.register(from_menu, Command("consult"))
    router.callback_query.register(from_menu, MenuCb.filter(F.section == Section.CONSULT))
    router.callback_query.register(from_button, ConsultCb.filter(F.step == ConsultStep.START))
    router.callback_query.register(cancel, ConsultCb.filter(F.step == ConsultStep.CANCEL))
    router.callback_query.register(agreed, ConsultCb.filter(F.step == ConsultStep.AGREE), Consent.agreeing)
    router.callback_query.register(shared, ConsultCb.filter(F.step == ConsultStep.SHARE), Consent.sharing)
    router.message.register(described, Consent.describing, F.text, ~F.text.startswith("/"))
    router.message.register(described_with_media, Consent.describing, ~F.text)
    router.callback_query.register(skipped, ConsultCb.filter(F.step == ConsultStep.SKIP), Consent.describing)
    router.message.register(typed_at_a_choice, Consent.language, F.text, ~F.text.startswith("/"))
    router.message.register(typed_at_a_choice, Consent.username, F.text, ~F.text.startswith("/"))
    router.callback_query.register(language_chosen, ConsultCb.filter(F.step == ConsultStep.LANG), Consent.language)
    router.callback_query.register(username_chosen, ConsultCb.filter(F.step == ConsultStep.USER), Consent.username)
    router.message.register(end, Command("end"))
    # In any state of the flows whose routers come later (checklist, agency, search): a message to the
    # consultant must never be taken as an answer there. Routers before this one (profile, start) still take
    # their own answers and commands.
    router.message.register(to_consultant, open_case)
    return router
