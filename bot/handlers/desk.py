"""Consultants: take a case from the group's alert, then talk to the person from a private chat with the bot.

Every button and command checks who acts (a member of the consultants' group, or an admin) and on which
case (the one they hold). Anything else is refused, answered, and written to the audit log.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.types import User as TelegramUser

from bot.callbacks import AddressCb, CloseCb, TakeCb
from bot.handlers.common import show_screen, stale_button
from bot.i18n import LANGUAGE_NAMES
from bot.models import Case
from bot.screens import desk as screens
from bot.services.desk import Actor, CaseError, CaseService
from bot.states import Consent
from bot.telegram.authorizer import Authorizer
from bot.telegram.desk import Desk, message_kind

OWN_REQUEST = {Consent.describing.state, Consent.language.state, Consent.username.state}  # a consultant's own request for help


def _name(user: TelegramUser) -> str:
    return user.full_name or str(user.id)


def case_number(command: CommandObject) -> int | None:
    """The case number a command names ("/close 12", "/case №12"), if it names one."""
    words = (command.args or "").split(maxsplit=1)
    number = words[0].lstrip("№#") if words else ""
    return int(number) if number.isdigit() else None


# -- the group's alert ----------------------------------------------------------------------------
async def take(query: CallbackQuery, callback_data: TakeCb, desk: Desk, cases: CaseService, authorizer: Authorizer) -> None:
    case = await cases.get(callback_data.case)
    team = cases.team_of(case) if case is not None else None
    actor = await authorizer.consultant(query.from_user.id, _name(query.from_user), team.chat_id if team else None)
    if actor is None or case is None:
        await cases.refused(query.from_user.id, callback_data.case, "take")
        await query.answer(screens.not_a_group_consultant(), show_alert=True)
        return
    await cases.seen_consultant(actor, query.from_user.username)
    outcome, taken = await desk.take(case.id, actor)
    if outcome == "won":
        text = screens.yours_in_topic(case.id) if taken is not None and taken.case.topic else screens.yours(case.id)
    elif outcome == "lost" and taken is not None:
        closed = taken.case.status == "closed"
        text = screens.refusal("closed", case.id) if closed else screens.taken_by(case.id, taken.case.consultant_name or "?")
    elif outcome == "need_start":
        text = screens.start_the_bot(await _bot_username(desk, query.bot))
    else:
        text = screens.refusal("not_found", callback_data.case)
    await query.answer(text, show_alert=True)


async def _bot_username(desk: Desk, bot: Bot | None) -> str:
    username = desk.config.bot_username
    if not username and bot is not None:
        username = (await bot.me()).username
    return username or ""


# -- who acts, on which case ----------------------------------------------------------------------
async def actor_of(
    event: Message | CallbackQuery, authorizer: Authorizer, cases: CaseService, action: str, case_id: int | None = None
) -> Actor | None:
    """The consultant (or admin) behind the event; anyone else is refused, told so, and logged."""
    sender = event.from_user
    actor = await authorizer.consultant(sender.id, _name(sender)) if sender is not None else None
    if actor is None:
        await cases.refused(sender.id if sender is not None else 0, case_id, action)
        if isinstance(event, CallbackQuery):
            await event.answer(screens.consultants_only(), show_alert=True)
        else:
            await event.answer(screens.consultants_only())
    elif sender is not None:
        await cases.seen_consultant(actor, sender.username)  # by name, for a handover to them
    return actor


async def target(message: Message, command: CommandObject, cases: CaseService, actor: Actor) -> Case | None:
    """The case a command is about: its number in the command, else the consultant's active case."""
    case_id = case_number(command)
    if case_id is None:
        active = await cases.active_case(actor.id)
        if active is None:
            await message.answer(screens.which_case())
            return None
        case_id = active.id
    try:
        return await cases.holding(case_id, actor, allow_ended=command.command == "close")
    except CaseError as error:
        await cases.refused(actor.id, case_id, command.command)
        await message.answer(screens.refusal(error.reason, case_id))
        return None


# -- commands in the private chat -----------------------------------------------------------------
async def my_cases(message: Message, cases: CaseService, authorizer: Authorizer) -> None:
    actor = await actor_of(message, authorizer, cases, "cases")
    if actor is None:
        return
    mine = await cases.of_consultant(actor.id)
    await message.answer(screens.cases_list(mine, await cases.waiting(), cases.clock()))


async def choose(message: Message, command: CommandObject, desk: Desk, cases: CaseService, authorizer: Authorizer, locale: str) -> None:
    actor = await actor_of(message, authorizer, cases, "case")
    if actor is None:
        return
    number = case_number(command)
    if number is None:
        await message.answer(screens.send_case_number())
        return
    try:
        case = await cases.choose(number, actor)
    except CaseError as error:
        await cases.refused(actor.id, number, "case")
        await message.answer(screens.refusal(error.reason, number))
        return
    summary = screens.summary(case, await cases.history(case.id), desk.clock(), locale, desk.config.ngo_name)
    sent = await message.answer(summary)
    await cases.add_post(sent.chat.id, sent.message_id, case.id, "relay")
    for _author, note, at in await cases.notes(case.id):
        await message.answer(screens.note_text(note, at))


async def note(message: Message, command: CommandObject, cases: CaseService, authorizer: Authorizer) -> None:
    actor = await actor_of(message, authorizer, cases, "note")
    if actor is None:
        return
    active = await cases.active_case(actor.id)
    text = (command.args or "").strip()
    if not text or active is None:
        await message.answer(screens.note_how())
        return
    await cases.note(active.id, actor, text)
    await message.answer(screens.note_added(active.id))


async def transfer(message: Message, command: CommandObject, desk: Desk, cases: CaseService, authorizer: Authorizer, locale: str) -> None:
    actor = await actor_of(message, authorizer, cases, "transfer")
    if actor is None:
        return
    case = await target(message, command, cases, actor)
    if case is None:
        return
    words = (command.args or "").split(maxsplit=1)
    rest = " ".join(words[1:] if words and case_number(command) is not None else words)
    await _hand_over(message, case, actor, rest, desk, cases, authorizer, locale)


async def _hand_over(
    message: Message, case: Case, actor: Actor, rest: str, desk: Desk, cases: CaseService, authorizer: Authorizer, locale: str,
) -> None:
    """/transfer [@name | language] [why]: to a named consultant (theirs at once), to the queue with a call to
    those who speak a language, or to the queue; the reason goes with the case as a note."""
    first, _, after = rest.partition(" ")
    language = first.lower() if first.lower() in LANGUAGE_NAMES else None
    named = first.startswith("@") and len(first) > 1  # "@bek" or "@Bek": a consultant, never a guess from the reason
    reason = (after if language or named else rest).strip() or None
    try:
        if named:
            await _hand_to_named(message, case, actor, first, reason, desk, cases, authorizer)
            return
        speakers = [c for c in await cases.consultants() if language in c.languages and c.id != actor.id] if language else []
        await desk.transfer(case.id, actor, reason, language=language, speakers=speakers)
    except CaseError as error:  # closed or taken over meanwhile
        await cases.refused(actor.id, case.id, "transfer")
        await message.answer(screens.refusal(error.reason, case.id))
        return
    await message.answer(screens.transferred(case.id) + ("\n" + screens.no_speakers(language) if language and not speakers else ""))


async def _hand_to_named(
    message: Message, case: Case, actor: Actor, name: str, reason: str | None, desk: Desk, cases: CaseService, authorizer: Authorizer,
) -> None:
    """To the consultant named: a member of the case's group (admins too, only if they are in it), who can be
    reached where the case is talked about (its topic, or their private chat with the bot)."""
    found = [c for c in await cases.consultants() if c.named(name)]
    if len(found) != 1:
        await message.answer(screens.no_such_consultant(name))
        return
    named = found[0]
    team = cases.team_of(case)
    member = team is not None and await authorizer.member_of(named.id, team.chat_id)
    reachable = case.topic is not None or await desk.reachable(named.id)
    if not member or named.id == actor.id or not reachable:
        await message.answer(screens.cannot_hand_to(named.name))
        return
    to = Actor(named.id, named.name)
    await desk.hand_to(case.id, actor, to, reason)
    await message.answer(screens.handed_to(case.id, actor.name, to.name, to.id))


async def close(message: Message, command: CommandObject, cases: CaseService, authorizer: Authorizer) -> None:
    actor = await actor_of(message, authorizer, cases, "close")
    if actor is None:
        return
    case = await target(message, command, cases, actor)
    if case is None:
        return
    await show_screen(message, screens.outcome_question(case.id))


async def closed(query: CallbackQuery, callback_data: CloseCb, desk: Desk, cases: CaseService, authorizer: Authorizer) -> None:
    actor = await actor_of(query, authorizer, cases, "close", callback_data.case)
    if actor is None:
        return
    try:
        case = await desk.close(callback_data.case, actor, callback_data.outcome)  # refuses an unknown outcome
    except CaseError as error:
        await cases.refused(actor.id, callback_data.case, "close")
        await query.answer(screens.refusal(error.reason, callback_data.case), show_alert=True)
        return
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(screens.closed_text(case.id, callback_data.outcome))


# -- talking to the person ------------------------------------------------------------------------
async def case_target(message: Message, cases: CaseService, state: FSMContext) -> dict[str, Any] | bool:
    """A filter: a consultant's message for a person. Its case is the one of the message it replies to, or
    the only case the consultant holds; holding several, `held` lists them and nothing is guessed.
    Commands are never relayed. A consultant asking for a consultant themselves (describing what happened,
    choosing a language) is answering their own request, not writing to a person, unless they Reply."""
    if message.text is not None and message.text.startswith("/"):
        return False
    reply = message.reply_to_message
    if reply is not None:
        case_id = await cases.case_of_post(message.chat.id, reply.message_id)
        if case_id is not None:
            return {"case_id": case_id, "held": []}
    if message.from_user is None or await state.get_state() in OWN_REQUEST:
        return False
    every = await cases.of_consultant(message.from_user.id)
    held = [c for c in every if c.topic is None]  # a topic's case is talked about in its topic
    if len(held) == 1:
        return {"case_id": held[0].id, "held": held}
    if not held and every:  # only cases with topics: told to write there (`_relay`)
        return {"case_id": every[0].id, "held": []}
    return {"case_id": None, "held": held} if held else False


async def to_person(
    message: Message, case_id: int | None, held: list[Case], desk: Desk, cases: CaseService, authorizer: Authorizer,
    locale: str,
) -> None:
    actor = await actor_of(message, authorizer, cases, "relay", case_id)
    if actor is None:
        return
    if case_id is None:  # several cases, no Reply: ask, as a Reply to the message, so the tap carries it
        screen = screens.which_case_for(held)
        await message.answer(screen.text, reply_markup=screen.markup, reply_to_message_id=message.message_id)
        return
    await _relay(message, case_id, actor, desk, cases, locale)


async def addressed(
    query: CallbackQuery, callback_data: AddressCb, desk: Desk, cases: CaseService, authorizer: Authorizer, locale: str,
) -> None:
    """The consultant chose the case for the message the question replies to."""
    actor = await actor_of(query, authorizer, cases, "relay", callback_data.case)
    if actor is None:
        return
    question = query.message if isinstance(query.message, Message) else None
    written = question.reply_to_message if question is not None else None
    if question is None or written is None or written.from_user is None or written.from_user.id != actor.id:
        await stale_button(query)
        return
    await query.answer()
    if await _relay(written, callback_data.case, actor, desk, cases, locale, confirm=False) and question.text != screens.sent_to(callback_data.case):
        await question.edit_text(screens.sent_to(callback_data.case))  # a second tap finds it said already


async def _relay(
    message: Message, case_id: int, actor: Actor, desk: Desk, cases: CaseService, locale: str, *, confirm: bool = True
) -> bool:
    """Pass the consultant's message to the person of this case (if they hold it), and say where it went."""
    try:
        case = await cases.holding(case_id, actor)
    except CaseError as error:
        await cases.refused(actor.id, case_id, "relay")
        await message.answer(screens.refusal(error.reason, case_id))
        return False
    if case.topic is not None:  # what is said to the person of a topic's case is said in the topic, for the team to see
        await message.answer(screens.write_in_topic(case.id))
        return False
    outcome = await desk.from_consultant(case, actor, message, locale)
    if outcome == "gone":
        await message.answer(screens.person_gone(case.id))
        return False
    if confirm:
        await message.answer(screens.sent_to(case.id), reply_to_message_id=message.message_id)
    return True


# -- a case's topic in a forum group ----------------------------------------------------------------
async def topic_case(message: Message, cases: CaseService) -> dict[str, Any] | bool:
    """A filter: a message written in a case's topic, by a person (not a bot), with the case the topic holds
    now. Anything written in General or in a topic that is not a case's never reaches anyone."""
    thread = message.message_thread_id
    if thread is None or not message.is_topic_message or message.from_user is None or message.from_user.is_bot:
        return False
    case = await cases.case_of_topic(message.chat.id, thread)
    return {"case": case} if case is not None else False


async def in_topic(message: Message, case: Case, desk: Desk, cases: CaseService, authorizer: Authorizer, locale: str) -> None:
    """What is written in a case's topic reaches the person when the writer holds the case; anyone else is
    told it stayed in the team, and why. Commands and service messages are never relayed."""
    if message_kind(message) == "other" or (message.text or "").startswith("/"):
        return
    team = cases.team_of(case)
    actor = await authorizer.consultant(message.from_user.id, _name(message.from_user), team.chat_id if team else None) \
        if message.from_user is not None else None
    if actor is None or message.from_user is None:
        await cases.refused(message.from_user.id if message.from_user else 0, case.id, "relay")
        await message.reply(screens.consultants_only())
        return
    await cases.seen_consultant(actor, message.from_user.username)
    if case.status == "new":
        screen = screens.take_first(case.id)
        await message.reply(screen.text, reply_markup=screen.markup)
    elif case.status != "taken":
        await message.reply(screens.topic_closed(case.id))
    elif case.consultant_id != actor.id:
        await message.reply(screens.held_by(case.id, case.consultant_name or "?"))
    elif await desk.from_consultant(case, actor, message, locale) == "gone":
        await message.reply(screens.person_gone(case.id))


async def topic_command(
    message: Message, command: CommandObject, case: Case, desk: Desk, cases: CaseService, authorizer: Authorizer, locale: str,
) -> None:
    """/close, /note, /transfer, /case written in a case's topic: about that case, no number needed."""
    actor = await actor_of(message, authorizer, cases, command.command, case.id)
    if actor is None:
        return
    if command.command == "case":  # what the person told waits for the consultant who takes the case
        text = screens.alert_after(case) if case.status == "new" else screens.summary(
            case, await cases.history(case.id), desk.clock(), locale, desk.config.ngo_name, in_topic=True)
        await message.reply(text)
        return
    try:
        held = await cases.holding(case.id, actor, allow_ended=command.command in ("close", "note"))
    except CaseError as error:
        await cases.refused(actor.id, case.id, command.command)
        await message.reply(screens.refusal(error.reason, case.id))
        return
    if command.command == "close":
        screen = screens.outcome_question(held.id)
        await message.reply(screen.text, reply_markup=screen.markup)
    elif command.command == "note":
        if not (command.args or "").strip():
            await message.reply(screens.note_how())
            return
        await cases.note(held.id, actor, (command.args or "").strip())
        await message.reply(screens.note_added(held.id))
    else:
        await _hand_over(message, held, actor, (command.args or "").strip(), desk, cases, authorizer, locale)


# -- finding cases, the languages a consultant speaks -------------------------------------------------
async def speak(message: Message, command: CommandObject, cases: CaseService, authorizer: Authorizer) -> None:
    actor = await actor_of(message, authorizer, cases, "speak")
    if actor is None or message.from_user is None:
        return
    said = [w.lower() for w in (command.args or "").replace(",", " ").split()]
    if said:
        unknown = [w for w in said if w not in LANGUAGE_NAMES]
        if unknown:
            await message.answer(screens.speaks([]))
            return
        await cases.set_languages(actor, message.from_user.username, list(dict.fromkeys(said)))
    mine = next((c for c in await cases.consultants() if c.id == actor.id), None)
    await message.answer(screens.speaks(mine.languages if mine else []))


async def find(message: Message, command: CommandObject, desk: Desk, cases: CaseService, authorizer: Authorizer, locale: str) -> None:
    """/find 12: a case, closed ones too (within retention); /find waiting|taken|closed: a list."""
    actor = await actor_of(message, authorizer, cases, "find")
    if actor is None:
        return
    word = (command.args or "").strip().lower().lstrip("№#")
    if word in screens.FIND_STATUSES:
        listed = [c for c in await cases.by_status(screens.FIND_STATUSES[word], limit=100) if await _may_read(actor, c, cases, authorizer)]
        await message.answer(screens.found_list(listed, desk.clock()))
        return
    if not word.isdigit():
        await message.answer(screens.find_how())
        return
    case = await cases.get(int(word))
    if case is None or not await _may_read(actor, case, cases, authorizer):
        await cases.refused(actor.id, int(word), "find")
        await message.answer(screens.refusal("not_found", int(word)))
        return
    if case.status == "new":  # what the person told waits for the consultant who takes the case
        await message.answer(screens.alert_after(case))
        return
    for text in screens.found(case, await cases.history(case.id), await cases.notes(case.id), desk.clock(), locale,
                              desk.config.ngo_name, desk.config.retention_days):
        await message.answer(text)


async def _may_read(actor: Actor, case: Case, cases: CaseService, authorizer: Authorizer) -> bool:
    """Admins read every case; a consultant the cases of their own group."""
    team = cases.team_of(case)
    return team is not None and (actor.admin or await authorizer.member_of(actor.id, team.chat_id))


def router() -> Router:
    router = Router(name="desk")
    router.callback_query.register(take, TakeCb.filter())
    private = Router(name="desk-private")  # commands and relaying: in a consultant's private chat
    private.message.filter(F.chat.type == "private")
    private.callback_query.filter(F.message.chat.type == "private")
    private.message.register(my_cases, Command("cases"))
    private.message.register(choose, Command("case"))
    private.message.register(note, Command("note"))
    private.message.register(transfer, Command("transfer"))
    private.message.register(close, Command("close"))
    private.callback_query.register(closed, CloseCb.filter())
    private.callback_query.register(addressed, AddressCb.filter())
    private.message.register(speak, Command("speak"))
    private.message.register(find, Command("find"))
    private.message.register(to_person, case_target)
    router.include_router(private)
    topics = Router(name="desk-topics")  # a forum group: each case's topic
    topics.message.filter(F.chat.type == "supergroup", topic_case)
    topics.message.register(topic_command, Command("close", "note", "transfer", "case"))
    topics.message.register(in_topic)
    topics.callback_query.filter(F.message.chat.type == "supergroup")
    topics.callback_query.register(closed, CloseCb.filter())
    router.include_router(topics)
    return router
