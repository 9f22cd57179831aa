"""`python -m bot run`: long polling (the default) or a webhook server, stopped gracefully by SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from bot.config import Settings

log = logging.getLogger(__name__)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("run", help="run the bot: long polling against TELEGRAM_API_URL, or a webhook server")
    parser.add_argument("--webhook", action="store_true",
                        help="take updates on a webhook (WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_LISTEN) instead of polling; "
                             "also the mode whenever WEBHOOK_URL is set")
    parser.set_defaults(run=run)


def run(config: Settings, args: argparse.Namespace) -> int:
    webhook = args.webhook or config.webhook_url is not None
    if webhook:
        config.require_webhook()  # a missing URL or secret stops here, named, before anything starts
    asyncio.run(serve(config, webhook=webhook))
    return 0


async def serve(config: Settings, *, webhook: bool = False) -> None:
    # the whole bot: loaded only to run it
    from bot import jobs
    from bot.app import ALLOWED_UPDATES, build_app, settle
    from bot.telegram import reporting
    from bot.telegram.health import HealthServer
    from bot.telegram.webhook import WebhookServer

    reporting.start(config.sentry_dsn.get_secret_value() if config.sentry_dsn else None, config.sentry_environment)
    app = await build_app(config)
    server: WebhookServer | None = None
    health: HealthServer | None = None
    try:
        me = await app.bot.get_me()
        log.info("starting @%s against %s, database %s", me.username, config.telegram_api_url, config.database_name())
        await app.startup(replay_inbox=False)  # the intake replays, beside polling or the webhook
        jobs.schedule(app)
        app.scheduler.start()
        if (address := config.health_address()) is not None:
            health = HealthServer(app.metrics, app.db, receiving=lambda: not app.intake.failing and not app.intake.stopping,
                                  scheduling=lambda: bool(app.scheduler.running), clock=app.intake.clock, host=address[0], port=address[1])
            await health.start()
        settle()
        # SIGTERM/SIGINT stop fetching (or taking webhook posts); app.close() then lets the updates in flight finish.
        loop = asyncio.get_running_loop()
        for stop in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(stop, app.intake.stop)
        reloads: set[asyncio.Task[object]] = set()  # SIGHUP: the content read again, checked first (bot.telegram.reload)

        def hup() -> None:
            task = loop.create_task(app.reloader.reload())
            reloads.add(task)
            task.add_done_callback(reloads.discard)

        loop.add_signal_handler(signal.SIGHUP, hup)
        if not webhook:
            await app.intake.run(app.left_over)
            return
        url, secret, host, port = config.require_webhook()
        server = WebhookServer(app.bot, app.intake, url=url, secret=secret, host=host, port=port,
                               allowed_updates=ALLOWED_UPDATES, max_connections=config.max_in_flight)
        await app.intake.resume(app.left_over)
        await server.start()
        await app.intake.stopped()
    finally:
        if server is not None:
            await server.stop()  # the posts being written finish first; new ones were answered 503
        if health is not None:
            await health.stop()
        await app.close()
        log.info("stopped")
