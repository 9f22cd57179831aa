"""Uzbek in Cyrillic for those who read it so: what the bot sends into the chat of a person whose script
is Cyrillic (users.script, chosen as "Ўзбекча" in the language picker) is transliterated from the Latin
texts on its way out (bot/services/translit.py): messages, captions, edits and button labels; catalogs,
content and dates alike. The language stays "uz": search, danger words, teams and figures are Uzbek's.
What consultants write reaches the person as they wrote it (relays are copies, never transliterated).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import EditMessageCaption, EditMessageReplyMarkup, EditMessageText, SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.callbacks import LanguageCb
from bot.services.translit import to_cyrillic
from bot.services.users import CYRILLIC, UserService

WRITTEN = (SendMessage, EditMessageText, SendPhoto, SendDocument, EditMessageCaption, EditMessageReplyMarkup)


class CyrillicScript(BaseRequestMiddleware):
    def __init__(self, users: UserService) -> None:
        self.users = users

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot, method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if isinstance(method, WRITTEN) and await self._cyrillic(method.chat_id):
            method = transliterated(method)
        return await make_request(bot, method)

    async def _cyrillic(self, chat_id: Any) -> bool:
        if not isinstance(chat_id, int) or chat_id <= 0:  # a group (the consultants'), or a chat by @name
            return False
        user = await self.users.get(chat_id)
        return user is not None and user.script == CYRILLIC


def _own_script(data: str | None) -> bool:
    """The language picker's buttons name each choice as it is written (Oʻzbekcha beside Ўзбекча)."""
    return bool(data) and str(data).startswith(LanguageCb.__prefix__ + ":")


def transliterated(method: Any) -> Any:
    changes: dict[str, Any] = {}
    for field in ("text", "caption"):
        value = getattr(method, field, None)
        if isinstance(value, str):
            changes[field] = to_cyrillic(value)
    markup = getattr(method, "reply_markup", None)
    if isinstance(markup, InlineKeyboardMarkup):
        changes["reply_markup"] = InlineKeyboardMarkup(inline_keyboard=[
            [button if _own_script(button.callback_data) else button.model_copy(update={"text": to_cyrillic(button.text)})
             for button in row] for row in markup.inline_keyboard])
    elif isinstance(markup, ReplyKeyboardMarkup):
        changes["reply_markup"] = markup.model_copy(update={"keyboard": [
            [button.model_copy(update={"text": to_cyrillic(button.text)}) for button in row] for row in markup.keyboard]})
    return method.model_copy(update=changes) if changes else method
