"""The composition root: one place builds the Bot, Dispatcher, storage, services and scheduler."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import profile_setup
from bot.config import SANDBOX_TOKEN, Settings
from bot.content import Content, require_content
from bot.handlers import build_routers
from bot.i18n import DOMAIN, CatalogI18n, LocaleMiddleware
from bot.middlewares.fallback import FallbackMiddleware
from bot.middlewares.inflight import InFlight
from bot.middlewares.retry import RetryAfter
from bot.middlewares.user import UserMiddleware
from bot.services.search import SearchIndex
from bot.services.users import UserService
from bot.storage import Database, SQLiteStorage, UserRepository

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_SECONDS = 20.0
# Update types the bot answers. Edited messages have no handler of their own (the fallback answers
# them), so they are listed here rather than resolved from the routers.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


@dataclass
class App:
    config: Settings
    bot: Bot
    dp: Dispatcher
    db: Database
    storage: SQLiteStorage
    users: UserService
    content: Content
    i18n: CatalogI18n
    scheduler: AsyncIOScheduler
    inflight: InFlight

    async def publish_profile(self) -> None:
        await profile_setup.publish(self.bot, self.i18n)

    async def close(self) -> None:
        if not await self.inflight.wait_idle(SHUTDOWN_GRACE_SECONDS):
            log.warning("stopping with %d updates still in flight", self.inflight.count)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.bot.session.close()
        await self.db.close()


async def build_app(
    config: Settings,
    *,
    session: BaseSession | None = None,
    token: str | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> App:
    """Build everything from the config. `session` replaces HTTP (the in-process sandbox)."""
    if session is None:
        token = token or config.require_token()
        session = AiohttpSession(api=TelegramAPIServer.from_base(config.telegram_api_url))
    content = require_content(config.content_dir)  # refuse to start on broken content
    i18n = CatalogI18n(path=config.locales_dir, default_locale=config.default_language, domain=DOMAIN)

    db = Database(config.database_path)
    await db.connect()
    storage = SQLiteStorage(db)
    users = UserService(db, UserRepository(db), storage)

    session.middleware(RetryAfter(sleep=sleep))
    bot = Bot(
        token=token or SANDBOX_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )

    dp = Dispatcher(
        storage=storage,
        events_isolation=SimpleEventIsolation(),  # one update at a time per person
        users=users,
        content=content,
        search=SearchIndex(content),
        config=config,
    )
    inflight = InFlight()
    dp.update.outer_middleware(inflight)
    dp.update.outer_middleware(UserMiddleware(users))
    dp.update.outer_middleware(LocaleMiddleware(i18n))
    dp.message.outer_middleware(FallbackMiddleware())
    dp.edited_message.outer_middleware(FallbackMiddleware(edited=True))
    dp.callback_query.outer_middleware(FallbackMiddleware())
    dp.include_routers(*build_routers())

    # Jobs (reminders, digests) are added by their features; defaults are set deliberately:
    # a tick missed while the process was busy still runs within 5 minutes, once.
    scheduler = AsyncIOScheduler(
        timezone=UTC,
        job_defaults={"misfire_grace_time": 300, "coalesce": True, "max_instances": 1},
    )
    return App(config, bot, dp, db, storage, users, content, i18n, scheduler, inflight)
