"""`python -m bot run`: long polling, stopped gracefully by SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.config import Settings

log = logging.getLogger(__name__)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("run", help="run the bot with long polling against TELEGRAM_API_URL")
    parser.set_defaults(run=run)


def run(config: Settings, args: argparse.Namespace) -> int:
    asyncio.run(serve(config))
    return 0


async def serve(config: Settings) -> None:
    # the whole bot: loaded only to run it
    from bot import jobs
    from bot.app import ALLOWED_UPDATES, build_app

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
