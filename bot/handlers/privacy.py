"""A person can delete everything the bot stores about them."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ForgetCb
from bot.handlers.common import private_router, show
from bot.models import User
from bot.screens import keyboards
from bot.services.agency import AgencyService
from bot.services.checklist import ChecklistService
from bot.services.events import EventLog
from bot.services.users import UserService
from bot.telegram.desk import Desk


def router() -> Router:
    router = private_router("privacy")

    @router.message(Command("forget"))
    @router.callback_query(ForgetCb.filter(~F.confirm))
    async def ask(event: Message | CallbackQuery) -> None:
        await show(
            event,
            _(
                "<b>Delete my data</b>\n"
                "The bot will forget your language, your countries and where you stopped, "
                "and delete your conversations with consultants and your reports about agencies. "
                "This cannot be undone. Delete everything?"
            ),
            keyboards.forget_confirm(),
        )

    @router.callback_query(ForgetCb.filter(F.confirm))
    async def confirm(
        query: CallbackQuery, user: User, users: UserService, desk: Desk, checklists: ChecklistService, agencies: AgencyService,
        events: EventLog,
    ) -> None:
        await desk.forget(user.id)  # cases: what the person wrote goes, anonymous figures stay
        await checklists.forget(user.id)  # dates, ticks and reminders
        await agencies.forget(user.id)  # reports about agencies
        await events.forget(user.id)  # usage events (keyed hash of the person)
        await users.forget(user.id)
        await show(query, _("Your data has been deleted. To start again, send /start."))

    return router
