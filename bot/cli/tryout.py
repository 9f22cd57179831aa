"""`python -m bot try`: a terminal chat with the real bot over the in-process sandbox, no token needed.

Type text to send it; type a button's number to tap it; /quit (or Ctrl-D) to leave.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import sys

from aiogram.types import Update

from bot.config import Settings
from bot.sandbox.client import Person, render_message
from bot.sandbox.core import Sandbox, SandboxEvent
from bot.sandbox.session import SandboxSession
from bot.services.agency import SAMPLES_DIR

BOLD, DIM, RESET = ("\033[1m", "\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "", "")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("try", help="chat with the bot in this terminal, no token needed")
    parser.add_argument("--lang", default="ru", help="your Telegram app's language (ru, ky, tg, uz, en...)")
    parser.add_argument("--user-id", type=int, default=777000001, help="the simulated person's Telegram id")
    parser.set_defaults(run=run)


def run(config: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(chat(config, language_code=args.lang, user_id=args.user_id))


async def chat(config: Settings, *, language_code: str, user_id: int) -> int:
    # the whole bot: loaded only to run it
    from bot.app import build_app

    sandbox = Sandbox()
    app = await build_app(config, session=SandboxSession(sandbox))
    await app.startup()
    await app.recovered()
    for loaded in await app.agencies.load_samples(SAMPLES_DIR):  # invented registries, marked TEST DATA
        print(f"{DIM}sample agency registry loaded: {loaded.country}, {loaded.rows} agencies{RESET}")

    async def deliver(update: dict) -> None:
        await app.dp.feed_update(app.bot, Update.model_validate(update, context={"bot": app.bot}))

    person = Person(sandbox, sandbox.add_user(user_id, "You", language_code), deliver)
    buttons: list[tuple[int, str]] = []  # (message id, label) numbered from 1

    def on_event(event: SandboxEvent) -> None:
        nonlocal buttons
        if event.chat_id != user_id or event.message is None:
            if event.kind == "callback_answer" and event.payload.get("text"):
                print(f"{DIM}(notice){RESET} {event.payload['text']}\n")
            return
        if event.kind == "delete":
            return
        label = "bot" if event.kind == "message" else "bot, edited"
        print(f"{BOLD}── {label} ──{RESET}\n{render_message(event.message, numbered=True)}\n")
        buttons = [(event.message.message_id, text) for text in event.message.button_labels()]

    sandbox.listeners.append(on_event)
    print(f"{DIM}Sandbox chat with the bot (database {config.database_path}). "
          f"Type text, a button's number, or /quit.{RESET}\n")
    try:
        await person.send("/start")
        while True:
            try:
                line = (await asyncio.to_thread(input, "you> ")).strip()
            except EOFError:
                break
            if line in ("/quit", "/exit"):
                break
            if not line:
                continue
            if line.isdigit() and 1 <= int(line) <= len(buttons):
                message_id, label = buttons[int(line) - 1]
                message = sandbox.messages[(user_id, message_id)]
                await person.click(label, message=message)
            else:
                await person.send(html.unescape(line))
    finally:
        await app.close()
    return 0
