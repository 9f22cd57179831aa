"""For admins: `/stats [period]` (the figures as a compact table, a chart, and a CSV file on request),
and `/admin`, the list of what admins can do."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.callbacks import StatsAction, StatsCb
from bot.config import Settings
from bot.content import Content
from bot.handlers.common import is_admin, private_router, stale_button
from bot.screens import stats as screens
from bot.services.stats import PeriodError, StatsService, parse_period
from bot.telegram import menus
from bot.telegram.digest import send_report


async def tools(message: Message, bot: Bot, config: Settings) -> None:
    await message.answer(screens.admin_tools(config.weekly_digest))
    await menus.publish_admin(bot, message.chat.id)  # these commands in the admin's menu, in their language


async def figures(message: Message, command: CommandObject, bot: Bot, stats: StatsService, content: Content, locale: str) -> None:
    try:
        period = parse_period(command.args or "", stats.today())
    except PeriodError as error:
        await message.answer(screens.period_refused(error))
        return
    await send_report(bot, message.chat.id, await stats.report(period), content, locale, stats.today())


async def again(query: CallbackQuery, callback_data: StatsCb, bot: Bot, stats: StatsService, content: Content, locale: str) -> None:
    period = stats.button_period(callback_data.s, callback_data.e)
    if period is None or query.message is None:
        await stale_button(query)
        return
    await query.answer()
    await send_report(bot, query.message.chat.id, await stats.report(period), content, locale, stats.today())


async def csv(query: CallbackQuery, callback_data: StatsCb, bot: Bot, stats: StatsService) -> None:
    period = stats.button_period(callback_data.s, callback_data.e)
    if period is None or query.message is None:
        await stale_button(query)
        return
    await query.answer()
    document = BufferedInputFile(await stats.csv(period), screens.file_name(period, "csv"))
    await bot.send_document(query.message.chat.id, document, caption=screens.csv_caption(period))


def router() -> Router:
    router = private_router("stats")
    router.message.register(tools, Command("admin"), is_admin)
    router.message.register(figures, Command("stats"), is_admin)
    router.callback_query.register(again, StatsCb.filter(F.a == StatsAction.SHOW), is_admin)
    router.callback_query.register(csv, StatsCb.filter(F.a == StatsAction.CSV), is_admin)
    return router
