"""Referral across borders: a consultant's /refer (in the case's topic, or in their private chat) and
the partner picked; the person's yes or no."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ReferCb, ReferPickCb
from bot.handlers.common import private_router, show_screen
from bot.handlers.desk import actor_of, case_number, topic_case
from bot.models import Case, User
from bot.screens import desk as desk_screens
from bot.screens import referral as screens
from bot.screens.common import Screen
from bot.services.desk import Actor, CaseError, CaseService
from bot.services.referrals import ReferralError
from bot.telegram.authorizer import Authorizer
from bot.telegram.desk import Desk
from bot.telegram.referral import Referrer


def router() -> Router:
    router = Router(name="referral")
    router.callback_query.register(picked, ReferPickCb.filter())
    topics = Router(name="referral-topics")
    topics.message.filter(F.chat.type == "supergroup", topic_case)
    topics.message.register(in_topic, Command("refer"))
    router.include_router(topics)
    private = private_router("referral-private")
    private.message.register(in_private, Command("refer"))
    private.callback_query.register(answered, ReferCb.filter())
    router.include_router(private)
    return router


async def in_topic(message: Message, command: CommandObject, case: Case, cases: CaseService, authorizer: Authorizer, desk: Desk) -> None:
    actor = await actor_of(message, authorizer, cases, "refer", case.id)
    if actor is not None:
        await _refer(message, case.id, actor, (command.args or "").strip(), cases, _referrer(desk))


async def in_private(message: Message, command: CommandObject, cases: CaseService, authorizer: Authorizer, desk: Desk) -> None:
    """/refer [N] [team [why]]: the case N, else the consultant's active case."""
    actor = await actor_of(message, authorizer, cases, "refer")
    if actor is None:
        return
    number = case_number(command)
    words = (command.args or "").split(maxsplit=1)
    rest = " ".join(words[1:]) if number is not None else (command.args or "")
    if number is None:
        active = await cases.active_case(actor.id)
        if active is None:
            await message.answer(desk_screens.which_case())
            return
        number = active.id
    await _refer(message, number, actor, rest.strip(), cases, _referrer(desk))


async def _refer(message: Message, number: int, actor: Actor, rest: str, cases: CaseService, referrer: Referrer) -> None:
    """Without a team: the partner teams as buttons; with one: the person is asked."""
    try:
        case = await cases.holding(number, actor)
    except CaseError as error:
        await cases.refused(actor.id, number, "refer")
        await message.reply(desk_screens.refusal(error.reason, number))
        return
    partners = referrer.referrals.partners(case)
    team, _, reason = rest.partition(" ")
    if not team or not partners:
        screen = screens.choose(case.id, partners) if partners else Screen(screens.refusal("no_partners", case.id, partners))
        await message.reply(screen.text, reply_markup=screen.markup)
        return
    await message.reply(await _propose(referrer, case, actor, team, (message.chat.id, message.message_thread_id), reason or None))


async def _propose(referrer: Referrer, case: Case, actor: Actor, team: str, room: tuple[int, int | None], reason: str | None) -> str:
    partners = referrer.referrals.partners(case)
    thread = room[1] if case.topic is not None and room[0] == case.topic[0] else None
    try:
        outcome = await referrer.propose(case.id, actor, team, (room[0], thread), reason)
    except ReferralError as error:
        return screens.refusal(error.reason, case.id, partners)
    except CaseError as error:
        return desk_screens.refusal(error.reason, case.id)
    label = referrer.label(team)
    return screens.asked(case.id, label) if outcome == "asked" else screens.unreachable(case.id, label)


async def picked(query: CallbackQuery, callback_data: ReferPickCb, cases: CaseService, authorizer: Authorizer, desk: Desk) -> None:
    actor = await actor_of(query, authorizer, cases, "refer", callback_data.case)
    if actor is None or query.message is None:
        return
    referrer = _referrer(desk)
    try:
        case = await cases.holding(callback_data.case, actor)
    except CaseError as error:
        await cases.refused(actor.id, callback_data.case, "refer")
        await query.answer(desk_screens.refusal(error.reason, callback_data.case), show_alert=True)
        return
    await query.answer()
    room = (query.message.chat.id, query.message.message_thread_id if isinstance(query.message, Message) else None)
    text = await _propose(referrer, case, actor, callback_data.team, room, None)
    if isinstance(query.message, Message):
        await query.message.edit_text(text)


async def answered(query: CallbackQuery, callback_data: ReferCb, user: User, desk: Desk) -> None:
    """The person's yes or no; the screen that asked says what came of it."""
    outcome, name = await _referrer(desk).answer(callback_data.id, user.id, callback_data.yes)
    texts = {"refused": screens.person_refused, "unreachable": screens.person_unreachable, "stale": screens.person_stale}
    await show_screen(query, Screen(screens.person_sent(name) if outcome == "sent" else texts[outcome]()))


def _referrer(desk: Desk) -> Referrer:
    assert desk.referrals is not None, "the app builds the Referrer with the desk"
    return desk.referrals
