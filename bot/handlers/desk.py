"""Consultants: take a case from the group's alert, then talk to the person from a private chat with the bot.

Every button and command checks who acts (a member of the consultants' group, or an admin) and on which
case (the one they hold). Anything else is refused, answered, and written to the audit log.
"""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import gettext as _

from bot.callbacks import CloseCb, TakeCb
from bot.models import Case
from bot.screens import common
from bot.screens import words as texts
from bot.services.desk import OUTCOMES, Actor, CaseError
from bot.telegram.authorizer import Authorizer
from bot.telegram.desk import Desk

CONSULTANT_COMMANDS = ("cases", "case", "note", "transfer", "close")


def _name(user: TelegramUser) -> str:
    return user.full_name or str(user.id)


def refusal(reason: str, number: int | None = None) -> str:
    if reason == "not_found":
        return _("There is no case No. {number}.").format(number=number)
    if reason == "not_yours":
        return _("Case No. {number} is handled by another consultant.").format(number=number)
    if reason == "closed":
        return _("Case No. {number} is closed.").format(number=number)
    if reason == "taken":
        return _("Case No. {number} is not taken yet: take it in the group first.").format(number=number)
    return _("This is not possible.")


def case_number(command: CommandObject) -> int | None:
    """The case number a command names ("/close 12", "/case №12"), if it names one."""
    words = (command.args or "").split(maxsplit=1)
    number = words[0].lstrip("№#") if words else ""
    return int(number) if number.isdigit() else None


def outcome_markup(case_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [common.button(str(texts.OUTCOMES[o]), CloseCb(case=case_id, outcome=o).pack())] for o in OUTCOMES
    ])


def router() -> Router:
    router = Router(name="consultants")

    # ------------------------------------------------------------------ the group's alert
    @router.callback_query(TakeCb.filter())
    async def take(query: CallbackQuery, callback_data: TakeCb, desk: Desk, authorizer: Authorizer) -> None:
        case = await desk.cases.get(callback_data.case)
        team = desk.cases.team_of(case) if case is not None else None
        actor = await authorizer.consultant(query.from_user.id, _name(query.from_user), team.chat_id if team else None)
        if actor is None or case is None:
            await desk.cases.refused(query.from_user.id, callback_data.case, "take")
            await query.answer(_("Only consultants of this group can take cases."), show_alert=True)
            return
        outcome, taken = await desk.take(case.id, actor)
        if outcome == "won":
            await query.answer(_("Case No. {number} is yours. Open the private chat with the bot to talk to the person.").format(number=case.id), show_alert=True)
        elif outcome == "lost" and taken is not None:
            if taken.case.status == "closed":
                await query.answer(refusal("closed", case.id), show_alert=True)
            else:
                await query.answer(_("Case No. {number} is already taken by {name}.").format(number=case.id, name=taken.case.consultant_name or "?"), show_alert=True)
        elif outcome == "need_start":
            username = desk.config.bot_username or (await query.bot.me()).username
            await query.answer(_(
                "The bot cannot write to you yet. Open @{bot}, press Start, then take the case again."
            ).format(bot=(username or "").lstrip("@")), show_alert=True)
        else:
            await query.answer(refusal("not_found", callback_data.case), show_alert=True)

    # ------------------------------------------------------------------ commands in the private chat
    private = Router(name="consultants-private")
    private.message.filter(F.chat.type == "private")
    private.callback_query.filter(F.message.chat.type == "private")
    router.include_router(private)

    async def actor_of(event: Message | CallbackQuery, authorizer: Authorizer, desk: Desk, action: str, case_id: int | None = None) -> Actor | None:
        actor = await authorizer.consultant(event.from_user.id, _name(event.from_user))
        if actor is None:
            await desk.cases.refused(event.from_user.id, case_id, action)
            text = _("This command is for consultants only.")
            if isinstance(event, CallbackQuery):
                await event.answer(text, show_alert=True)
            else:
                await event.answer(text)
        return actor

    async def target(message: Message, command: CommandObject, desk: Desk, actor: Actor) -> Case | None:
        """The case a command is about: its number in the command, else the consultant's active case."""
        case_id = case_number(command)
        if case_id is None:
            active = await desk.cases.active_case(actor.id)
            if active is None:
                await message.answer(_("Which case? Send the command with the case number, e.g. /close 12. Your cases: /cases"))
                return None
            case_id = active.id
        try:
            return await desk.cases.holding(case_id, actor, allow_ended=command.command == "close")
        except CaseError as error:
            await desk.cases.refused(actor.id, case_id, command.command)
            await message.answer(refusal(error.reason, case_id))
            return None

    @private.message(Command("cases"))
    async def my_cases(message: Message, desk: Desk, authorizer: Authorizer) -> None:
        actor = await actor_of(message, authorizer, desk, "cases")
        if actor is None:
            return
        mine = await desk.cases.of_consultant(actor.id)
        waiting = await desk.cases.waiting()
        active = await desk.cases.active_case(actor.id)
        lines = [_("<b>Your cases</b>")]
        lines += [f"{'▶️' if active and c.id == active.id else '•'} №{c.id} {texts.LEVEL_ICONS[c.level]} {texts.KINDS[c.kind]}" for c in mine] or [_("none")]
        lines.append(_("<b>Waiting in the group:</b> {count}").format(count=len(waiting)))
        await message.answer("\n".join(lines))

    @private.message(Command("case"))
    async def choose(message: Message, command: CommandObject, desk: Desk, authorizer: Authorizer) -> None:
        actor = await actor_of(message, authorizer, desk, "case")
        if actor is None:
            return
        number = case_number(command)
        if number is None:
            await message.answer(_("Send the case number, e.g. /case 12. Your cases: /cases"))
            return
        try:
            case = await desk.cases.choose(number, actor)
        except CaseError as error:
            await desk.cases.refused(actor.id, number, "case")
            await message.answer(refusal(error.reason, number))
            return
        sent = await message.answer(desk.summary(case, await desk.cases.history(case.id)))
        await desk.cases.add_post(sent.chat.id, sent.message_id, case.id, "relay")
        for author, note, at in await desk.cases.notes(case.id):
            await message.answer(_("📝 Note, {time} UTC:").format(time=f"{at:%d.%m %H:%M}") + f"\n{escape(note)}")

    @private.message(Command("note"))
    async def note(message: Message, command: CommandObject, desk: Desk, authorizer: Authorizer) -> None:
        actor = await actor_of(message, authorizer, desk, "note")
        if actor is None:
            return
        active = await desk.cases.active_case(actor.id)
        if not (command.args or "").strip() or active is None:
            await message.answer(_("Write the note after the command: /note text. It goes to your active case, the person does not see it."))
            return
        await desk.cases.note(active.id, actor, command.args.strip())
        await message.answer(_("📝 Note added to case No. {number}.").format(number=active.id))

    @private.message(Command("transfer"))
    async def transfer(message: Message, command: CommandObject, desk: Desk, authorizer: Authorizer) -> None:
        actor = await actor_of(message, authorizer, desk, "transfer")
        if actor is None:
            return
        case = await target(message, command, desk, actor)
        if case is None:
            return
        await desk.transfer(case.id, actor)
        await message.answer(_("Case No. {number} is back in the group, waiting for another consultant.").format(number=case.id))

    @private.message(Command("close"))
    async def close(message: Message, command: CommandObject, desk: Desk, authorizer: Authorizer) -> None:
        actor = await actor_of(message, authorizer, desk, "close")
        if actor is None:
            return
        case = await target(message, command, desk, actor)
        if case is None:
            return
        await message.answer(_("How did case No. {number} end?").format(number=case.id), reply_markup=outcome_markup(case.id))

    @private.callback_query(CloseCb.filter())
    async def closed(query: CallbackQuery, callback_data: CloseCb, desk: Desk, authorizer: Authorizer) -> None:
        actor = await actor_of(query, authorizer, desk, "close", callback_data.case)
        if actor is None:
            return
        try:
            case = await desk.close(callback_data.case, actor, callback_data.outcome)
        except CaseError as error:
            await desk.cases.refused(actor.id, callback_data.case, "close")
            await query.answer(refusal(error.reason, callback_data.case), show_alert=True)
            return
        await query.answer()
        text = _("☑️ Case No. {number} is closed: {outcome}.").format(number=case.id, outcome=texts.OUTCOMES[callback_data.outcome])
        if isinstance(query.message, Message):
            await query.message.edit_text(text)

    # ------------------------------------------------------------------ talking to the person
    async def case_target(message: Message, desk: Desk) -> dict[str, Any] | bool:
        """A consultant's message for a person: a reply to a message of a case, or any message while a case is active."""
        if message.text is not None and message.text.startswith("/"):
            return False
        reply = message.reply_to_message
        if reply is not None:
            case_id = await desk.cases.case_of_post(message.chat.id, reply.message_id)
            if case_id is not None:
                return {"case_id": case_id}
        active = await desk.cases.active_case(message.from_user.id)
        return {"case_id": active.id} if active is not None else False

    @private.message(case_target)
    async def to_person(message: Message, case_id: int, desk: Desk, authorizer: Authorizer, locale: str) -> None:
        actor = await actor_of(message, authorizer, desk, "relay", case_id)
        if actor is None:
            return
        try:
            case = await desk.cases.holding(case_id, actor)
        except CaseError as error:
            await desk.cases.refused(actor.id, case_id, "relay")
            await message.answer(refusal(error.reason, case_id))
            return
        outcome = await desk.from_consultant(case, actor, message, locale)
        if outcome == "gone":
            await message.answer(_("The person of case No. {number} deleted their data; messages cannot be delivered.").format(number=case.id))

    return router
