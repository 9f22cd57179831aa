"""Check a recruitment agency: type a name or permit number, see its status; answer the red-flag
questions; report an agency to the consultants. Admins load registries by sending the file.

While a person has an open case, what they type goes to the consultant (the consult router comes
first): nothing sent for help is taken as a search.
"""

from __future__ import annotations

import io
from dataclasses import replace

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import AgencyAction, AgencyCb, FlagAction, FlagCb, MenuCb, Section
from bot.config import Settings
from bot.content import Content
from bot.handlers.common import in_order, is_admin, private_router, show_menu, show_screen, stale_button
from bot.models import Agency, User
from bot.screens import agency as views
from bot.screens import search as search_screens
from bot.screens.common import with_prefix
from bot.screens.guide import Where
from bot.services.agency import (
    MAX_FILE_BYTES,
    NOT_FOUND,
    TEMPLATE_NAME,
    AgencyService,
    Checked,
    Found,
    Match,
    Problem,
    RegistryError,
    ReportDraft,
    registry_template,
)
from bot.services.desk import CaseService
from bot.services.events import EventLog
from bot.services.redflags import FLAGS, assess
from bot.services.search import SearchIndex
from bot.states import AgencyData, AgencyFlow
from bot.telegram.desk import Desk

MAX_QUERY = 200
MAX_WHAT = 1000
MAX_CONTACT = 100
REGISTRY_SUFFIXES = (".xlsx", ".csv", ".yaml", ".yml")


async def _load(state: FSMContext) -> AgencyData:
    return AgencyData.from_dict((await state.get_data()).get("ag"))


async def _save(state: FSMContext, data: AgencyData) -> None:
    await state.update_data(ag=data.to_dict())


# -- the check ---------------------------------------------------------------------------------------
async def start(event: Message | CallbackQuery, state: FSMContext, agencies: AgencyService, locale: str) -> None:
    await state.set_state(AgencyFlow.query)
    await state.set_data({"ag": AgencyData().to_dict()})
    await show_screen(event, views.intro(await agencies.snapshots(), locale))


async def again(query: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(AgencyFlow.query)
    await show_screen(query, views.ask_again())


async def typed(
    message: Message, state: FSMContext, agencies: AgencyService, search: SearchIndex, content: Content, locale: str,
    user: User, events: EventLog,
) -> None:
    if search.is_danger(locale, message.text or ""):  # a cry for help where a name was expected
        await state.clear()
        topics = search.answer(locale, message.text or "", user.citizenship)
        await show_screen(message, search_screens.answer(content, locale, Where.of(user), topics))
        return
    text = " ".join((message.text or "").split())[:MAX_QUERY]
    found = await agencies.search(text, prefer=user.citizenship)
    result = await _show_found(message, state, agencies, found, content, locale, user)
    await events.record("agency_check", user, result)


async def _show_found(
    message: Message, state: FSMContext, agencies: AgencyService, found: Found, content: Content, locale: str, user: User,
) -> str:
    """Show what a search found; returns what that was, for the figures."""
    if found.too_vague:
        await show_screen(message, views.too_vague())
        return "too_vague"
    data = await _load(state)
    data.typed, data.agency, data.flags = found.query, None, None
    if found.sure is not None:
        return await _show_agency(message, state, data, agencies, found.sure.agency, found.sure, locale, user)
    await _save(state, data)
    if found.choices:
        standings = {m.agency.id: agencies.standing(m.agency) for m in found.choices}
        await show_screen(message, views.choices(found, standings))
        return "choices"
    await show_screen(message, views.not_found(found.query, found.snapshots, content, locale))
    return "not_found"


async def _show_agency(
    event: Message | CallbackQuery, state: FSMContext, data: AgencyData, agencies: AgencyService, agency: Agency,
    match: Match | None, locale: str, user: User,
) -> str:
    """Show the agency's card and keep it as the one in view; returns its status."""
    standing = agencies.standing(agency)
    data.agency = Checked.of(agency, standing.status)
    await _save(state, data)
    await show_screen(event, views.card(agency, standing, match, data.typed if match else None, user, locale))
    return standing.status


async def typed_not_text(message: Message) -> None:
    await show_screen(message, views.ask_again())


async def chosen(query: CallbackQuery, callback_data: AgencyCb, state: FSMContext, agencies: AgencyService, locale: str, user: User) -> None:
    agency = await agencies.get(callback_data.id)
    if agency is None:  # the registry was replaced since the buttons were made
        await stale_button(query)
        return
    await state.set_state(AgencyFlow.query)
    data = await _load(state)
    data.flags = None
    await _show_agency(query, state, data, agencies, agency, None, locale, user)


async def none_of_these(query: CallbackQuery, state: FSMContext, agencies: AgencyService, content: Content, locale: str) -> None:
    typed = (await _load(state)).typed
    await state.set_state(AgencyFlow.query)
    if not typed:
        await show_screen(query, views.ask_again())
        return
    await show_screen(query, views.not_found(typed, await agencies.snapshots(), content, locale))


# -- the red-flag questions --------------------------------------------------------------------------
async def questions(query: CallbackQuery, state: FSMContext) -> None:
    data = await _load(state)
    await state.set_state(AgencyFlow.quiz)
    data.answers, data.next, data.flags = {}, 0, None
    await _save(state, data)
    await show_screen(query, views.question(0, data.agency.name if data.agency else None))


async def answered(query: CallbackQuery, callback_data: FlagCb, state: FSMContext, content: Content, locale: str, user: User) -> None:
    data = await _load(state)
    if not await in_order(query, state, AgencyFlow.quiz, data.next, callback_data.q, len(FLAGS)):
        return
    answers = dict(data.answers or {})
    if callback_data.a == FlagAction.BACK:  # the question before, asked again
        previous = max(callback_data.q - 1, 0)
        answers.pop(FLAGS[previous].id, None)
        data.answers, data.next = answers, previous
        await _save(state, data)
        await show_screen(query, views.question(previous, data.name))
        return
    answers[FLAGS[callback_data.q].id] = callback_data.a.value  # "not abroad yet" is no sign (assess ignores it)
    following = callback_data.q + 1
    if following < len(FLAGS):
        data.answers, data.next = answers, following
        await _save(state, data)
        await show_screen(query, views.question(following, data.name))
        return
    result = assess(answers)
    await state.set_state(AgencyFlow.query)  # typing a name now checks it
    data.answers, data.next, data.flags = None, None, list(result.flags)
    await _save(state, data)
    await show_screen(query, views.verdict_screen(result, content, locale, Where.of(user), data.name))


async def why(query: CallbackQuery, callback_data: AgencyCb, content: Content, locale: str) -> None:
    """Why the verdict's signs are warnings: the flags travel in the button, so an old verdict still opens."""
    await show_screen(query, views.reasons_screen(callback_data.id, content, locale))


async def where(query: CallbackQuery, content: Content, locale: str) -> None:
    await show_screen(query, views.where_screen(content, locale))


# -- reports -----------------------------------------------------------------------------------------
async def report(query: CallbackQuery, state: FSMContext, cases: CaseService, user: User) -> None:
    case = await cases.open_case_of(user.id)
    if case is not None:
        await show_screen(query, views.report_to_open_case(case.id))
        return
    data = await _load(state)
    if data.agency is not None:
        data.draft = ReportDraft.about(data.agency, data.flags or [])
    elif data.typed:
        data.draft = ReportDraft(data.typed, NOT_FOUND, flags=tuple(data.flags or []))
    else:
        await state.set_state(AgencyFlow.report_name)
        await show_screen(query, views.report_intro())
        return
    await _save(state, data)
    await state.set_state(AgencyFlow.report_what)
    await show_screen(query, views.ask_what(data.draft.agency))


async def report_name(message: Message, state: FSMContext, agencies: AgencyService) -> None:
    name = " ".join((message.text or "").split())[:MAX_QUERY]
    data = await _load(state)
    data.draft = await agencies.draft_report(name, data.flags or [])
    await _save(state, data)
    await state.set_state(AgencyFlow.report_what)
    await show_screen(message, views.ask_what(data.draft.agency))


async def report_what(message: Message, state: FSMContext) -> None:
    data = await _load(state)
    if data.draft is None:  # stored by an older version, or lost: start again
        await state.set_state(AgencyFlow.query)
        await show_screen(message, views.ask_again())
        return
    typed = (message.text or "").strip()
    data.draft = replace(data.draft, what=typed[:MAX_WHAT])
    await _save(state, data)
    await state.set_state(AgencyFlow.report_harm)
    screen = views.ask_harm()
    if len(typed) > MAX_WHAT:  # said, never cut silently: the rest can go to the consultant
        screen = with_prefix(views.what_cut(MAX_WHAT), screen)
    await show_screen(message, screen)


HARM_OF = {
    AgencyAction.HARM_MONEY: ("money_taken",), AgencyAction.HARM_DOCS: ("documents_kept",),
    AgencyAction.HARM_BOTH: ("money_taken", "documents_kept"), AgencyAction.HARM_NONE: (),
}


async def report_harm(query: CallbackQuery, callback_data: AgencyCb, state: FSMContext) -> None:
    """Money taken, documents kept: the consultants see it first (the case opens as high risk)."""
    data = await _load(state)
    if data.draft is None:
        await stale_button(query)
        return
    data.draft = replace(data.draft, harm=HARM_OF[callback_data.a])
    await _save(state, data)
    await state.set_state(AgencyFlow.report_contact)
    await show_screen(query, views.ask_contact())


async def words_please(message: Message) -> None:
    await message.answer(views.words_please())


async def harm_please(message: Message) -> None:
    await show_screen(message, views.ask_harm())


async def report_contact(message: Message, state: FSMContext, config: Settings) -> None:
    contact = message.contact.phone_number if message.contact is not None else " ".join((message.text or "").split())
    await _confirm(message, state, config, contact[:MAX_CONTACT])


async def no_contact(query: CallbackQuery, state: FSMContext, config: Settings) -> None:
    await _confirm(query, state, config, None)


async def _confirm(event: Message | CallbackQuery, state: FSMContext, config: Settings, contact: str | None) -> None:
    data = await _load(state)
    data.draft = replace(data.draft or ReportDraft(""), contact=contact)
    await _save(state, data)
    await state.set_state(AgencyFlow.report_confirm)
    await show_screen(event, views.confirm(data.draft, config.ngo_name))


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    data = await _load(state)
    data.draft = None
    await _save(state, data)
    await state.set_state(AgencyFlow.query)
    await show_screen(query, views.report_cancelled())


async def sent_already(query: CallbackQuery) -> None:
    """"Send" on a report that was sent or cancelled: said in words, then the menu."""
    await query.answer(views.report_gone(), show_alert=True)
    await show_menu(query, answer=False)


async def send(
    query: CallbackQuery, state: FSMContext, agencies: AgencyService, desk: Desk, content: Content, locale: str, user: User,
    events: EventLog,
) -> None:
    draft = (await _load(state)).draft
    if draft is None or not draft.agency:
        await stale_button(query)
        return
    await query.answer()
    reported = await agencies.report(draft, user, locale, cases=desk.cases if desk.available else None, alert=desk.queue_alert)
    if reported.case is not None:  # its alert, posted now (in a forum group: its topic, made now)
        await desk.send_queued([reported.alert] if reported.alert is not None else [])
    await state.clear()
    await events.record("agency_report", user, draft.status or NOT_FOUND)
    if reported.case is not None:
        screen = views.report_in_case(desk.opened_text(reported.case, content, locale, Where.of(user)))
    else:
        screen = views.report_saved(content, locale, Where.of(user))
    await show_screen(query, screen, answer=False)


def router() -> Router:
    router = private_router("agency")
    router.message.register(start, Command("agency"))
    router.callback_query.register(start, MenuCb.filter(F.section == Section.AGENCY))
    router.callback_query.register(again, AgencyCb.filter(F.a == AgencyAction.NEW))
    router.message.register(typed, AgencyFlow.query, F.text, ~F.text.startswith("/"))
    router.message.register(typed_not_text, AgencyFlow.query, ~F.text)
    router.callback_query.register(chosen, AgencyCb.filter(F.a == AgencyAction.SHOW))
    router.callback_query.register(none_of_these, AgencyCb.filter(F.a == AgencyAction.NONE))
    router.callback_query.register(questions, FlagCb.filter(F.a == FlagAction.GO))
    router.callback_query.register(answered, FlagCb.filter(F.a != FlagAction.GO))
    router.callback_query.register(report, AgencyCb.filter(F.a == AgencyAction.REPORT))
    router.callback_query.register(why, AgencyCb.filter(F.a == AgencyAction.WHY))
    router.callback_query.register(where, AgencyCb.filter(F.a == AgencyAction.WHERE))
    router.callback_query.register(template, AgencyCb.filter(F.a == AgencyAction.TEMPLATE), is_admin)  # under /registries
    router.message.register(report_name, AgencyFlow.report_name, F.text, ~F.text.startswith("/"))
    router.message.register(report_what, AgencyFlow.report_what, F.text, ~F.text.startswith("/"))
    router.message.register(words_please, AgencyFlow.report_what, ~F.text)
    router.callback_query.register(report_harm, AgencyCb.filter(F.a.in_(HARM_OF)), AgencyFlow.report_harm)
    router.message.register(harm_please, AgencyFlow.report_harm)
    router.message.register(words_please, AgencyFlow.report_name, ~F.text)
    router.message.register(report_contact, AgencyFlow.report_contact, F.text, ~F.text.startswith("/"))
    router.message.register(report_contact, AgencyFlow.report_contact, F.contact)
    router.callback_query.register(no_contact, AgencyCb.filter(F.a == AgencyAction.NO_CONTACT), AgencyFlow.report_contact)
    router.callback_query.register(cancel, AgencyCb.filter(F.a == AgencyAction.CANCEL))
    router.callback_query.register(send, AgencyCb.filter(F.a == AgencyAction.SEND), AgencyFlow.report_confirm)
    router.callback_query.register(sent_already, AgencyCb.filter(F.a == AgencyAction.SEND))  # an old "Send" button
    return router


# -- leaving the check, and the admins' registries -------------------------------------------------------
async def leaving(event: Message | CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    raise SkipHandler()


async def registries(message: Message, agencies: AgencyService, locale: str) -> None:
    await message.answer(views.snapshots_text(await agencies.snapshots(), locale), reply_markup=views.template_button())


async def template(query: CallbackQuery, bot: Bot) -> None:
    await query.answer()
    if query.message is not None:
        document = BufferedInputFile(registry_template(), TEMPLATE_NAME)
        await bot.send_document(query.message.chat.id, document, caption=views.template_caption())


async def reports(message: Message, agencies: AgencyService, locale: str) -> None:
    await message.answer(views.reports_text(await agencies.reports(), locale))


async def upload(message: Message, bot: Bot, agencies: AgencyService) -> None:
    document = message.document
    assert document is not None
    if (document.file_size or 0) > MAX_FILE_BYTES:
        await message.answer(views.problems_text([Problem(None, None, "too_big")]))
        return
    buffer = io.BytesIO()
    await bot.download(document, destination=buffer)
    try:
        imported = await agencies.import_file(buffer.getvalue(), document.file_name or "registry.csv", message.caption)
    except RegistryError as error:
        await message.answer(views.problems_text(error.problems))
        return
    await message.answer(views.imported_text(imported.country, imported.rows, imported.before, imported.sample))


def early_router() -> Router:
    """Runs before the other features' routers.

    Leaving the agency check (any other button or command) ends it, so a question typed later reaches
    the search, not the registry; a half-written report is dropped with it. Admins load registries by
    sending the file here, before the desk's router, so that a file an admin sends is never
    relayed to a person in a case.
    """
    router = private_router("agency-early")
    router.message.register(leaving, StateFilter(AgencyFlow), F.text.startswith("/"), ~F.text.startswith("/agency"))
    router.callback_query.register(leaving, StateFilter(AgencyFlow), ~F.data.startswith(("ag:", "rf:")))
    router.message.register(registries, Command("registries"), is_admin)
    router.message.register(reports, Command("reports"), is_admin)
    router.message.register(upload, F.document.file_name.lower().endswith(REGISTRY_SUFFIXES), is_admin)
    return router
