"""`python -m bot run`: long polling, stopped gracefully by SIGTERM or SIGINT."""

from __future__ import annotations

import logging

from bot import jobs
from bot.app import ALLOWED_UPDATES, build_app
from bot.config import Settings

log = logging.getLogger(__name__)


async def run(config: Settings) -> None:
    app = await build_app(config)
    try:
        me = await app.bot.get_me()
        log.info("starting @%s against %s, database %s", me.username, config.telegram_api_url, config.database_path)
        await app.startup()
        jobs.schedule(app)
        app.scheduler.start()
        # handle_signals: SIGTERM/SIGINT stop polling; app.close() then lets handlers in flight finish.
        await app.dp.start_polling(
            app.bot, allowed_updates=ALLOWED_UPDATES, handle_signals=True, close_bot_session=False
        )
    finally:
        await app.close()
        log.info("stopped")
