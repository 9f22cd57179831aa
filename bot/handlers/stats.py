"""For admins: `/stats [period]` (the figures as a compact table, a chart, and a CSV file on request),
and `/admin`, the list of what admins can do."""

from __future__ import annotations

from datetime import date

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import StatsCb
from bot.config import Settings
from bot.handlers.common import is_admin, private_router, stale_button
from bot.telegram import menus as profile_setup
from bot.telegram.stats import (
    MAX_DAYS,
    Period,
    PeriodError,
    Stats,
    parse_period,
    period_help,
    send_report,
)


def _period(callback_data: StatsCb, today: date) -> Period | None:
    try:
        period = Period(date.fromisoformat(callback_data.s), date.fromisoformat(callback_data.e))
    except ValueError:
        return None
    ok = period.start <= period.end <= today and period.days <= MAX_DAYS
    return period if ok else None


def router() -> Router:
    router = private_router("stats")

    @router.message(Command("admin"), is_admin)
    async def tools(message: Message, bot: Bot, config: Settings) -> None:
        lines = [
            _("🛠 <b>Admin tools</b>"),
            "/stats — " + _("figures for a period: a table, a chart and a CSV file"),
            "/broadcast — " + _("an announcement to the people you choose"),
            "/registries — " + _("the agency registries loaded, with their dates"),
            "/reports — " + _("reports about agencies"),
            _("To load a registry, send its file (CSV or YAML) with a caption: country code, source, date of the list."),
        ]
        if config.weekly_digest:
            lines.append(_("Every Monday you get last week's figures here."))
        lines.append(period_help())
        await message.answer("\n".join(lines))
        await profile_setup.publish_admin(bot, message.chat.id)  # these commands in the admin's menu, in their language

    @router.message(Command("stats"), is_admin)
    async def stats(message: Message, command: CommandObject, bot: Bot, stats: Stats, locale: str) -> None:
        try:
            period = parse_period(command.args or "", stats.today())
        except PeriodError as error:
            await message.answer(f"{error.text()}\n{period_help()}")
            return
        await send_report(bot, message.chat.id, stats, await stats.report(period), locale)

    @router.callback_query(StatsCb.filter(F.a == "show"), is_admin)
    async def again(query: CallbackQuery, callback_data: StatsCb, bot: Bot, stats: Stats, locale: str) -> None:
        period = _period(callback_data, stats.today())
        if period is None or query.message is None:
            await stale_button(query)
            return
        await query.answer()
        await send_report(bot, query.message.chat.id, stats, await stats.report(period), locale)

    @router.callback_query(StatsCb.filter(F.a == "csv"), is_admin)
    async def csv(query: CallbackQuery, callback_data: StatsCb, bot: Bot, stats: Stats) -> None:
        period = _period(callback_data, stats.today())
        if period is None or query.message is None:
            await stale_button(query)
            return
        await query.answer()
        name = f"figures-{period.start.isoformat()}-{period.end.isoformat()}.csv"
        await bot.send_document(
            query.message.chat.id, BufferedInputFile(await stats.csv(period), name),
            caption=_("Figures for {period}: one row per figure, for spreadsheets.").format(period=period.shown()),
        )

    return router
