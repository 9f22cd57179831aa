"""Bot API request middleware: a button answered too late still gets its screen.

Telegram refuses to answer a callback query about 15 minutes after the press ("query is too old"), and
answers a query only once ("query ID is invalid" the second time, e.g. when an update is replayed after
a restart). The answer is only the small notice at the top of the chat; the screen that follows is what
the person needs. So that refusal is taken as done, and the handler goes on to show the screen.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import Response, TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

TOO_LATE = ("query is too old", "query id is invalid")


class LateCallbackAnswers(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as error:
            if isinstance(method, AnswerCallbackQuery) and any(part in error.message.lower() for part in TOO_LATE):
                log.info("a button was answered too late (or twice); its screen is shown anyway")
                return cast(Any, True)  # what answerCallbackQuery returns
            raise
