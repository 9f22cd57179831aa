"""Check a recruitment agency: type a name or permit number, see its status; answer the red-flag
questions; report an agency to the consultants. Admins load registries by sending the file.

While a person has an open case, what they type goes to the consultant (the escalation router comes
first): nothing sent for help is taken as a search.
"""

from __future__ import annotations

import io
from typing import Any

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import AgCb, FlagCb, MenuCb
from bot.config import Settings
from bot.content import Content
from bot.handlers.common import in_order, is_admin, private_router, show, stale_button
from bot.handlers.consult import opened_text
from bot.handlers.search import answer as search_answer
from bot.models import Agency, Report, User
from bot.screens import agency as views
from bot.screens import guide as screens
from bot.screens import keyboards
from bot.services.agency import (
    MAX_FILE_BYTES,
    AgencyService,
    Match,
    Problem,
    RegistryError,
    parse_caption,
    parse_registry,
)
from bot.services.desk import CaseError, Draft
from bot.services.events import EventLog
from bot.services.redflags import FLAGS, Reply, Verdict, assess
from bot.services.search import SearchIndex
from bot.states import AgencyFlow
from bot.telegram.desk import Desk

MAX_QUERY = 200
MAX_WHAT = 1000
MAX_CONTACT = 100
REGISTRY_SUFFIXES = (".csv", ".yaml", ".yml")


async def _data(state: FSMContext) -> dict[str, Any]:
    """The flow's data: agency (the one in view), typed (the last search), flags, rf/next (the questions), draft."""
    return dict((await state.get_data()).get("ag") or {})


async def _put(state: FSMContext, **changes: Any) -> None:
    data = await _data(state)
    data.update(changes)
    await state.update_data(ag=data)


def _about(agency: Agency, status: str) -> dict[str, Any]:
    return {"id": agency.id, "name": agency.name, "permit": agency.permit, "registry": agency.country, "status": status}


def _level(flags: list[str], status: str) -> str:
    verdict = assess({f: Reply.YES.value for f in flags}).verdict
    if verdict is Verdict.DANGER:
        return "high"
    if verdict is Verdict.CAUTION or status in ("revoked", "suspended", "expired"):
        return "concern"
    return "info"


def router() -> Router:
    router = private_router("agency")

    @router.message(Command("agency"))
    @router.callback_query(MenuCb.filter(F.section == "agency"))
    async def start(event: Message | CallbackQuery, state: FSMContext, agencies: AgencyService, locale: str) -> None:
        await state.set_state(AgencyFlow.query)
        await state.set_data({"ag": {}})
        await show(event, *views.intro(await agencies.snapshots(), locale))

    @router.callback_query(AgCb.filter(F.a == "new"))
    async def again(query: CallbackQuery, state: FSMContext) -> None:
        await state.set_state(AgencyFlow.query)
        await show(query, *views.ask_again())

    @router.message(AgencyFlow.query, F.text, ~F.text.startswith("/"))
    async def typed(
        message: Message, state: FSMContext, agencies: AgencyService, search: SearchIndex, content: Content, locale: str, user: User,
        events: EventLog,
    ) -> None:
        if search.is_danger(locale, message.text or ""):  # a cry for help where a name was expected
            await state.clear()
            await search_answer(message, content, search, locale, user)
            return
        text = " ".join((message.text or "").split())[:MAX_QUERY]
        found = await agencies.search(text, prefer=user.citizenship)
        if found.too_vague:
            await show(message, *views.too_vague())
            await events.record("agency_check", user, "too_vague")
            return
        await _put(state, typed=text, agency=None, flags=None)
        if found.sure is not None:
            result = await _show_agency(message, state, agencies, found.sure.agency, found.sure, text, locale, user)
        elif found.choices:
            standings = {m.agency.id: agencies.standing(m.agency) for m in found.choices}
            await show(message, *views.choices(found, standings))
            result = "choices"
        else:
            await show(message, *views.not_found(text, found.snapshots, content, locale))
            result = "not_found"
        await events.record("agency_check", user, result)

    @router.message(AgencyFlow.query, ~F.text)
    async def typed_not_text(message: Message) -> None:
        await show(message, *views.ask_again())

    @router.callback_query(AgCb.filter(F.a == "id"))
    async def chosen(query: CallbackQuery, callback_data: AgCb, state: FSMContext, agencies: AgencyService, locale: str, user: User) -> None:
        agency = await agencies.get(callback_data.id)
        if agency is None:  # the registry was replaced since the buttons were made
            await stale_button(query)
            return
        await state.set_state(AgencyFlow.query)
        await _put(state, flags=None)
        await _show_agency(query, state, agencies, agency, None, None, locale, user)

    async def _show_agency(
        event: Message | CallbackQuery, state: FSMContext, agencies: AgencyService, agency: Agency,
        match: Match | None, typed: str | None, locale: str, user: User,
    ) -> str:
        """Show the agency's card and keep it as the one in view; returns its status."""
        standing = agencies.standing(agency)
        await _put(state, agency=_about(agency, standing.status))
        await show(event, *views.card(agency, standing, match, typed, user, locale))
        return standing.status

    @router.callback_query(AgCb.filter(F.a == "none"))
    async def none_of_these(query: CallbackQuery, state: FSMContext, agencies: AgencyService, content: Content, locale: str) -> None:
        typed = (await _data(state)).get("typed")
        await state.set_state(AgencyFlow.query)
        if not typed:
            await show(query, *views.ask_again())
            return
        await show(query, *views.not_found(typed, await agencies.snapshots(), content, locale))

    # -- the red-flag questions ------------------------------------------------------------------------
    @router.callback_query(FlagCb.filter(F.a == "go"))
    async def questions(query: CallbackQuery, state: FSMContext) -> None:
        data = await _data(state)
        await state.set_state(AgencyFlow.quiz)
        await _put(state, rf={}, next=0, flags=None)
        await show(query, *views.question(0, (data.get("agency") or {}).get("name")))

    @router.callback_query(FlagCb.filter(F.a.in_([r.value for r in Reply])))
    async def answered(query: CallbackQuery, callback_data: FlagCb, state: FSMContext, content: Content, locale: str, user: User) -> None:
        data = await _data(state)
        if not await in_order(query, state, AgencyFlow.quiz, data.get("next"), callback_data.q, len(FLAGS)):
            return
        answers = dict(data.get("rf") or {})
        answers[FLAGS[callback_data.q].id] = callback_data.a
        name = (data.get("agency") or {}).get("name") or data.get("typed")
        following = callback_data.q + 1
        if following < len(FLAGS):
            await _put(state, rf=answers, next=following)
            await show(query, *views.question(following, name))
            return
        result = assess(answers)
        await state.set_state(AgencyFlow.query)  # typing a name now checks it
        await _put(state, rf=None, next=None, flags=list(result.flags))
        await show(query, *views.verdict_screen(result, content, locale, user.destination, name))

    # -- reports ---------------------------------------------------------------------------------------
    @router.callback_query(AgCb.filter(F.a == "rep"))
    async def report(query: CallbackQuery, state: FSMContext, desk: Desk, user: User) -> None:
        case = await desk.cases.open_case_of(user.id)
        if case is not None:
            await show(query, _(
                "Your request No. {number} is open. Write about the agency here: the consultant reads everything you send."
            ).format(number=case.id), keyboards.back_to_menu())
            return
        data = await _data(state)
        agency = data.get("agency")
        name = agency["name"] if agency else data.get("typed")
        if not name:
            await state.set_state(AgencyFlow.report_name)
            await show(query, *views.report_intro())
            return
        status = agency["status"] if agency else "not_found"
        await _put(state, draft={**(agency or {}), "agency": name, "status": status, "flags": data.get("flags") or []})
        await state.set_state(AgencyFlow.report_what)
        await show(query, *views.ask_what(name))

    @router.message(AgencyFlow.report_name, F.text, ~F.text.startswith("/"))
    async def report_name(message: Message, state: FSMContext, agencies: AgencyService) -> None:
        name = " ".join((message.text or "").split())[:MAX_QUERY]
        found = await agencies.search(name)
        if found.sure is not None and found.sure.exact:  # the same name as in a registry: report that agency
            agency = found.sure.agency
            draft = {**_about(agency, agencies.standing(agency).status), "agency": agency.name}
        else:
            draft = {"agency": name, "status": "unchecked" if found.found else "not_found"}
        await _put(state, draft={**draft, "flags": (await _data(state)).get("flags") or []})
        await state.set_state(AgencyFlow.report_what)
        await show(message, *views.ask_what(draft["agency"]))

    @router.message(AgencyFlow.report_what, F.text, ~F.text.startswith("/"))
    async def report_what(message: Message, state: FSMContext) -> None:
        draft = (await _data(state)).get("draft") or {}
        draft["what"] = (message.text or "").strip()[:MAX_WHAT]
        await _put(state, draft=draft)
        await state.set_state(AgencyFlow.report_contact)
        await show(message, *views.ask_contact())

    @router.message(AgencyFlow.report_name, ~F.text)
    @router.message(AgencyFlow.report_what, ~F.text)
    async def words_please(message: Message) -> None:
        await message.answer(_("Please write it in words. You can send photos and files to a consultant later."))

    @router.message(AgencyFlow.report_contact, F.contact)
    @router.message(AgencyFlow.report_contact, F.text, ~F.text.startswith("/"))
    async def report_contact(message: Message, state: FSMContext, config: Settings) -> None:
        contact = message.contact.phone_number if message.contact is not None else " ".join((message.text or "").split())
        await _confirm(message, state, config, contact[:MAX_CONTACT])

    @router.callback_query(AgCb.filter(F.a == "nocontact"), AgencyFlow.report_contact)
    async def no_contact(query: CallbackQuery, state: FSMContext, config: Settings) -> None:
        await _confirm(query, state, config, None)

    async def _confirm(event: Message | CallbackQuery, state: FSMContext, config: Settings, contact: str | None) -> None:
        draft = (await _data(state)).get("draft") or {}
        draft["contact"] = contact
        await _put(state, draft=draft)
        await state.set_state(AgencyFlow.report_confirm)
        await show(event, *views.confirm(draft, config.ngo_name))

    @router.callback_query(AgCb.filter(F.a == "cancel"))
    async def cancel(query: CallbackQuery, state: FSMContext) -> None:
        await _put(state, draft=None)
        await state.set_state(AgencyFlow.query)
        await show(query, _("Nothing was sent. You can type another agency's name to check it."), keyboards.back_to_menu())

    @router.callback_query(AgCb.filter(F.a == "send"), AgencyFlow.report_confirm)
    async def send(
        query: CallbackQuery, state: FSMContext, agencies: AgencyService, desk: Desk, content: Content, locale: str, user: User,
        events: EventLog,
    ) -> None:
        draft = (await _data(state)).get("draft")
        if not draft or not draft.get("agency"):
            await stale_button(query)
            return
        await query.answer()
        subject = {k: draft.get(k) for k in ("agency", "registry", "permit", "status", "flags", "contact")}
        case = None
        if desk.available:
            try:
                case = await desk.open_case(Draft(
                    user_id=user.id, kind="agency", level=_level(draft.get("flags") or [], draft.get("status") or ""),
                    language=locale, description=draft.get("what"), destination=user.destination,
                    citizenship=user.citizenship, subject=subject,
                ))
            except CaseError as error:
                if error.reason not in ("open_exists", "no_team"):
                    raise
        await agencies.report(Report(
            user_id=user.id, language=locale, agency=draft["agency"], status=draft.get("status") or "not_found",
            registry=draft.get("registry"), permit=draft.get("permit"), flags=tuple(draft.get("flags") or ()),
            what=draft.get("what"), contact=draft.get("contact"), case_id=case.id if case else None,
        ))
        await state.clear()
        await events.record("agency_report", user, draft.get("status") or "not_found")
        if case is not None:
            await show(query, opened_text(desk, case, content, locale, user.destination), keyboards.back_to_menu(), answer=False)
            return
        text = _("✅ <b>Your report is saved.</b> The team will read it.") + "\n\n" + screens.urgent_text(content, locale, user.destination)
        await show(query, text, keyboards.back_to_menu(), answer=False)

    return router


def early_router() -> Router:
    """Runs before the other features' routers.

    Leaving the agency check (any other button or command) ends it, so a question typed later reaches
    the search, not the registry; a half-written report is dropped with it. Admins load registries by
    sending the file here, before the consultants' router, so that a file an admin sends is never
    relayed to a person in a case.
    """
    router = private_router("agency-early")

    @router.callback_query(StateFilter(AgencyFlow), ~F.data.startswith(("ag:", "rf:")))
    @router.message(StateFilter(AgencyFlow), F.text.startswith("/"), ~F.text.startswith("/agency"))
    async def leaving(event: Message | CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        raise SkipHandler()

    @router.message(Command("registries"), is_admin)
    async def registries(message: Message, agencies: AgencyService, locale: str) -> None:
        await message.answer(views.snapshots_text(await agencies.snapshots(), locale))

    @router.message(Command("reports"), is_admin)
    async def reports(message: Message, agencies: AgencyService, locale: str) -> None:
        await message.answer(views.reports_text(await agencies.reports(), locale))

    @router.message(F.document.file_name.lower().endswith(REGISTRY_SUFFIXES), is_admin)
    async def upload(message: Message, bot: Bot, agencies: AgencyService) -> None:
        document = message.document
        assert document is not None
        if (document.file_size or 0) > MAX_FILE_BYTES:
            await message.answer(views.problems_text([Problem(None, None, "too_big")]))
            return
        buffer = io.BytesIO()
        await bot.download(document, destination=buffer)
        meta = parse_caption(message.caption)
        try:
            registry = parse_registry(buffer.getvalue(), document.file_name or "registry.csv", today=agencies.clock().date(), **meta)
        except RegistryError as error:
            await message.answer(views.problems_text(error.problems))
            return
        imported = await agencies.import_registry(registry)
        await message.answer(views.imported_text(imported.country, imported.rows, imported.before, registry.sample))

    return router
