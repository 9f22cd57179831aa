"""The last line of defence: log the failure (never the message text) and tell the person."""

from __future__ import annotations

import logging
import traceback
from contextlib import suppress
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n

from bot.i18n import locale_for
from bot.screens import common

log = logging.getLogger("bot.errors")


async def on_error(event: ErrorEvent, bot: Bot, i18n: I18n | None = None, **data: Any) -> bool:
    update = event.update
    # The exception's message may quote what the person wrote: log its type and where, not its text.
    log.error(
        "update %s (%s) failed: %s\n%s",
        update.update_id, update.event_type, type(event.exception).__name__,
        "".join(traceback.format_tb(event.exception.__traceback__)).rstrip(),
    )
    chat = data.get("event_chat")
    if chat is None or chat.type != "private" or i18n is None:
        return True
    with i18n.context(), i18n.use_locale(locale_for(data, i18n.default_locale)):
        text = common.failure_text()
    if update.callback_query is not None:
        with suppress(TelegramAPIError):  # it may have been answered before the failure
            await update.callback_query.answer()
    try:
        await bot.send_message(chat.id, text)
    except TelegramAPIError as error:
        log.warning("could not tell user about the failure of update %s: %s", update.update_id, type(error).__name__)
    return True


def router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
