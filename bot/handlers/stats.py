"""For admins: `/stats [period]` (the figures as a compact table, a chart, and a CSV file on request),
`/admin`, the list of what admins can do, and `/reload`, the content files read again (checked first)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.callbacks import StatsAction, StatsCb
from bot.config import Settings
from bot.content import Content
from bot.handlers.common import is_admin, private_router, stale_button
from bot.screens import exports
from bot.screens import stats as screens
from bot.services.stats import Period, PeriodError, StatsService, parse_period
from bot.telegram import menus
from bot.telegram.chart import report_pdf
from bot.telegram.digest import send_report
from bot.telegram.reload import Reloader


async def tools(message: Message, bot: Bot, config: Settings) -> None:
    await message.answer(screens.admin_tools(config.weekly_digest))
    await menus.publish_admin(bot, message.chat.id)  # these commands in the admin's menu, in their language


async def figures(
    message: Message, command: CommandObject, bot: Bot, stats: StatsService, content: Content, locale: str, config: Settings,
) -> None:
    try:
        period = parse_period(command.args or "", stats.today())
    except PeriodError as error:
        await message.answer(screens.period_refused(error))
        return
    await send_report(bot, message.chat.id, await stats.report(period), content, locale, stats.today(), organisation=config.ngo_name)


async def _tapped(query: CallbackQuery, callback_data: StatsCb, stats: StatsService) -> Period | None:
    """The period a button carries, the tap answered; None (said as an out-of-date button) when it is not one."""
    period = stats.button_period(callback_data.s, callback_data.e)
    if period is None or query.message is None:
        await stale_button(query)
        return None
    await query.answer()
    return period


async def again(
    query: CallbackQuery, callback_data: StatsCb, bot: Bot, stats: StatsService, content: Content, locale: str, config: Settings,
) -> None:
    period = await _tapped(query, callback_data, stats)
    if period is None or query.message is None:
        return
    await send_report(bot, query.message.chat.id, await stats.report(period), content, locale, stats.today(), organisation=config.ngo_name)


async def files(query: CallbackQuery, callback_data: StatsCb, bot: Bot, stats: StatsService, content: Content, locale: str) -> None:
    """The period's figures as files: two CSV (totals, series) or one Excel workbook, in the admin's language."""
    period = await _tapped(query, callback_data, stats)
    if period is None or query.message is None:
        return
    report = await stats.report(period)
    made = exports.csv_files(report, content, locale) if callback_data.a == StatsAction.CSV else [exports.workbook(report, content, locale)]
    for number, (name, data) in enumerate(made):
        caption = screens.files_caption(period) if number == 0 else None
        await bot.send_document(query.message.chat.id, BufferedInputFile(data, name), caption=caption)


async def reload(message: Message, reloader: Reloader, config: Settings) -> None:
    if reloader.busy:
        await message.answer(screens.reload_busy())
        return
    done = await reloader.reload(signal=True)
    if done.refused:
        await message.answer(screens.reload_refused(done.problems))
    else:
        await message.answer(screens.reload_done(done.changed, several=config.shared))


async def report(
    query: CallbackQuery, callback_data: StatsCb, bot: Bot, stats: StatsService, content: Content, locale: str, config: Settings,
    i18n: I18n,
) -> None:
    """The report for the period as a PDF: in the admin's language, or in English for donors."""
    period = await _tapped(query, callback_data, stats)
    if period is None or query.message is None:
        return
    figures = await stats.report(period)
    language = "en" if callback_data.a == StatsAction.PDF_EN else locale
    with i18n.use_locale(language):
        pdf = await report_pdf(figures, content, language, stats.today(), config.ngo_name)
    document = BufferedInputFile(pdf, screens.report_name(period, language))
    await bot.send_document(query.message.chat.id, document, caption=screens.report_caption(period))


def router() -> Router:
    router = private_router("stats")
    router.message.register(tools, Command("admin"), is_admin)
    router.message.register(figures, Command("stats"), is_admin)
    router.message.register(reload, Command("reload"), is_admin)
    router.callback_query.register(again, StatsCb.filter(F.a == StatsAction.SHOW), is_admin)
    router.callback_query.register(files, StatsCb.filter(F.a.in_({StatsAction.CSV, StatsAction.XLSX})), is_admin)
    router.callback_query.register(report, StatsCb.filter(F.a.in_({StatsAction.PDF, StatsAction.PDF_EN})), is_admin)
    return router
