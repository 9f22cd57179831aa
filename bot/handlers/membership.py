"""Telegram tells the bot when a person blocks or unblocks it: stop writing to them, or start again."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from bot.services.checklist import ChecklistService
from bot.services.users import UserService


async def blocked(event: ChatMemberUpdated, users: UserService) -> None:
    await users.mark_blocked(event.from_user.id, True)


async def unblocked(event: ChatMemberUpdated, users: UserService, checklists: ChecklistService) -> None:
    await users.mark_blocked(event.from_user.id, False)
    user = await users.get(event.from_user.id)
    if user is not None:
        await checklists.replan(user)  # the reminders a block stopped come back


def router() -> Router:
    router = Router(name="membership")
    router.my_chat_member.filter(F.chat.type == "private")
    router.my_chat_member.register(blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return router
