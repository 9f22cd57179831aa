"""`python -m bot run`: long polling, stopped gracefully by SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

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
    from bot.app import build_app

    app = await build_app(config)
    try:
        me = await app.bot.get_me()
        log.info("starting @%s against %s, database %s", me.username, config.telegram_api_url, config.database_path)
        await app.startup(replay_inbox=False)  # the intake replays, beside polling
        jobs.schedule(app)
        app.scheduler.start()
        # SIGTERM/SIGINT stop fetching; app.close() then lets the updates in flight finish.
        loop = asyncio.get_running_loop()
        for stop in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(stop, app.intake.stop)
        await app.intake.run()
    finally:
        await app.close()
        log.info("stopped")
