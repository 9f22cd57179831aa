"""A person can delete everything the bot stores about them."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.callbacks import ForgetCb
from bot.handlers.common import private_router, show_screen
from bot.models import User
from bot.screens import privacy as screens
from bot.services.privacy import Privacy
from bot.telegram.desk import Desk
from bot.telegram.hide import Hider


async def ask(event: Message | CallbackQuery) -> None:
    await show_screen(event, screens.ask())


async def confirm(query: CallbackQuery, user: User, privacy: Privacy, desk: Desk, hider: Hider) -> None:
    # one transaction: every row about the person, and the notices to the consultants of the cases it closed
    forgotten = await privacy.forget(user.id, notify=desk.queue_forgotten)
    await desk.send_queued(forgotten.queued)
    await show_screen(query, screens.forgotten())
    await hider.forget(user.id)  # the answer just sent is not kept on the chat's trail either


def router() -> Router:
    router = private_router("privacy")
    router.message.register(ask, Command("forget"))
    router.callback_query.register(ask, ForgetCb.filter(~F.confirm))
    router.callback_query.register(confirm, ForgetCb.filter(F.confirm))
    return router
