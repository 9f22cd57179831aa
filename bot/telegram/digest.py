"""Figures sent into an admin's chat: the table with its buttons, then the chart; and the weekly digest,
every Monday, last week's figures to every admin in each admin's language, once per admin and week."""

from __future__ import annotations

import logging
from datetime import date

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import BufferedInputFile

from bot.content import Content
from bot.i18n import CatalogI18n
from bot.screens import stats as screens
from bot.services.stats import Period, Report, StatsService
from bot.services.users import UserService
from bot.telegram.chart import chart

log = logging.getLogger(__name__)


async def send_report(
    bot: Bot, chat_id: int, report: Report, content: Content, locale: str, today: date, *, prefix: str = "", organisation: str = "",
) -> None:
    """The table (with period buttons and CSV), then the chart; a chart that cannot be drawn is said, not hidden."""
    screen = screens.figures_screen(report, content, locale, today, prefix=prefix)
    await bot.send_message(chat_id, screen.text, reply_markup=screen.markup)
    try:
        png = await chart(report, today, organisation)
    except Exception:
        log.exception("could not draw the chart")
        await bot.send_message(chat_id, screens.chart_failed())
        return
    name = screens.file_name(report.period, "png")
    await bot.send_photo(chat_id, BufferedInputFile(png, name), caption=screens.chart_caption(report.period))


class Digest:
    """Every Monday, last week's figures to every admin, in each admin's language; once per admin and week."""

    def __init__(
        self, bot: Bot, stats: StatsService, users: UserService, i18n: CatalogI18n, content: Content,
        admin_ids: frozenset[int], default_locale: str, organisation: str = "",
    ) -> None:
        self.bot = bot
        self.stats = stats
        self.users = users
        self.i18n = i18n
        self.content = content
        self.admin_ids = admin_ids
        self.default_locale = default_locale
        self.organisation = organisation  # NGO_NAME, in the chart's title

    async def tick(self) -> int:
        """Send the due digest to every admin who has not had it; returns how many were sent."""
        if not self.admin_ids:
            return 0
        week = await self.stats.digest_week()
        if week is None:
            return 0  # the bot had no one yet that week (a new installation): nothing worth a digest
        sent = 0
        reports: tuple[Report, Report] | None = None
        for admin_id in sorted(self.admin_ids):
            if not await self.stats.claim_digest(admin_id, week):
                continue
            if reports is None:
                reports = (await self.stats.report(week), await self.stats.report(week.before()))
            sent += await self._send(admin_id, week, *reports)
        return sent

    async def _send(self, admin_id: int, week: Period, report: Report, before: Report) -> int:
        """One admin's digest; 1 when it went out. A network failure gives the claim back for the next tick."""
        user = await self.users.get(admin_id)
        locale = user.language if user is not None and user.language else self.default_locale
        try:
            with self.i18n.context(), self.i18n.use_locale(locale):
                head = screens.digest_head(report, before)
                await send_report(self.bot, admin_id, report, self.content, locale, self.stats.today(), prefix=head,
                                  organisation=self.organisation)
            return 1
        except (TelegramForbiddenError, TelegramBadRequest) as error:
            # the admin never started the bot or blocked it: said in the log, not retried every tick
            log.warning("weekly digest not delivered to admin %s: %s", admin_id, error.message)
        except Exception:
            await self.stats.release_digest(admin_id, week)
            log.exception("weekly digest to admin %s failed; tried again at the next tick", admin_id)
        return 0
