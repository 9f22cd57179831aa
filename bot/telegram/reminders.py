"""The reminders job: every tick, claim the due reminders in a batch and send them, paced.

One message per person per tick, listing every item due (so one chat gets at most one message a
tick, well under Telegram's 1/s per chat), at most `rate` messages a second overall (under ~30/s).
Before sending, each person's reminders are checked against a fresh plan (a tick, a new date or a
changed destination since they were planned drops them), and against the night where the person is
(a reminder due at night waits for the morning there). A 403 stops the person's reminders; a 429
that outlasts the request middleware's own waiting puts the rest of the batch back for after
`retry_after`; other failures are retried with backoff, and given up after MAX_ATTEMPTS.

Guarantee: see `bot/services/checklist.py` (claimed -> sending -> sent; a restart re-queues
claimed and sending ones).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)

from bot.content import Content
from bot.i18n import CatalogI18n
from bot.models import Reminder
from bot.screens import checklist as checklist_screens
from bot.services.checklist import ChecklistService
from bot.services.users import UserService
from bot.telegram.pacer import Paced, Pacer

log = logging.getLogger(__name__)

BATCH = 500
RATE = 25.0  # messages a second, overall
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)


def chat_gone(error: TelegramBadRequest) -> bool:
    """The person's chat is no more (the account deleted, or never there): nothing sent to it can arrive."""
    return "chat not found" in error.message or "deactivated" in error.message


class ReminderSender:
    def __init__(
        self, bot: Bot, checklists: ChecklistService, users: UserService, content: Content, i18n: CatalogI18n,
        default_language: str, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC), pacer: Paced | None = None,
    ) -> None:
        self.bot = bot
        self.checklists = checklists
        self.users = users
        self.content = content
        self.i18n = i18n
        self.default_language = default_language
        self.clock = clock
        self.pacer: Paced = pacer or Pacer(RATE)
        self.retry_after = 1  # the last 429's wait, for the rest of the batch

    async def recover(self, dead: Collection[str] | None = None) -> None:
        claimed, sending = await self.checklists.recover(dead)
        if claimed or sending:
            log.info("reminders: %d claimed and %d cut off mid-send go back to the queue", claimed, sending)

    async def tick(self, limit: int = BATCH) -> int:
        """Send what is due now; returns the number of messages sent."""
        batch = await self.checklists.claim_due(limit)
        if not batch:
            return 0
        by_user: dict[int, list[Reminder]] = {}
        for reminder in batch:
            by_user.setdefault(reminder.user_id, []).append(reminder)
        sent = 0
        queue = list(by_user.items())
        for index, (user_id, reminders) in enumerate(queue):
            outcome = await self._deliver(user_id, reminders)
            if outcome == "sent":
                sent += 1
            elif outcome == "flood":  # Telegram asks the whole bot to slow down: the rest waits too
                rest = [r for _uid, rs in queue[index + 1:] for r in rs]
                await self.checklists.release(rest, self.clock() + timedelta(seconds=self.retry_after))
                break
        log.info("reminders: %d claimed, %d messages sent", len(batch), sent)
        return sent

    async def _deliver(self, user_id: int, reminders: list[Reminder]) -> str:
        user = await self.users.get(user_id)
        if user is None or user.blocked:
            await self.checklists.mark(reminders, "cancelled")
            return "dropped"
        wanted, stale, sheet = await self.checklists.still_wanted(user, reminders)
        if stale:
            await self.checklists.mark(stale, "cancelled")
        if not wanted or sheet is None:
            return "dropped"
        now = self.clock()
        entries = []
        for item_id in dict.fromkeys(r.item for r in wanted):  # one line per item, in due order
            entry = sheet.entry(item_id)
            if entry is not None and entry.deadline is not None:
                entries.append(entry)
        if not entries:
            await self.checklists.mark(wanted, "cancelled")
            return "dropped"
        later = self.checklists.next_allowed(user, entries[0].item, now)
        if later > now:  # night where the person is: the morning there
            await self.checklists.release(wanted, later)
            return "night"
        locale = user.language or self.default_language
        with self.i18n.context(), self.i18n.use_locale(locale):
            screen = checklist_screens.reminder_message(self.content, locale, sheet, entries)
        await self.pacer.wait()
        await self.checklists.mark(wanted, "sending")  # from here a restart cannot know: it sends again
        try:
            await self.bot.send_message(user_id, screen.text, reply_markup=screen.markup)
        except TelegramRetryAfter as error:
            self.retry_after = error.retry_after
            await self.checklists.release(wanted, self.clock() + timedelta(seconds=error.retry_after))
            log.warning("reminders: flood limit, the batch waits %ss", error.retry_after)
            return "flood"
        except TelegramForbiddenError:
            await self.users.mark_blocked(user_id, True)
            await self.checklists.mark(wanted, "cancelled")
            await self.checklists.stop(user_id)
            log.info("reminders: user %s blocked the bot; their reminders stop", user_id)
            return "blocked"
        except TelegramBadRequest as error:
            if chat_gone(error):
                await self.checklists.mark(wanted, "cancelled")
                await self.checklists.stop(user_id)
                return "blocked"
            return await self._later(wanted, type(error).__name__)
        except (TelegramAPIError, OSError) as error:
            return await self._later(wanted, type(error).__name__)
        await self.checklists.mark(wanted, "sent")
        return "sent"

    async def _later(self, reminders: list[Reminder], error: str) -> str:
        attempts = max(r.attempts for r in reminders) + 1
        if attempts >= MAX_ATTEMPTS:
            await self.checklists.mark(reminders, "failed")
            log.warning("reminders: %d given up after %d attempts (%s)", len(reminders), attempts, error)
            return "failed"
        backoff = min(MAX_BACKOFF, timedelta(minutes=2 ** attempts))
        await self.checklists.release(reminders, self.clock() + backoff, failed=True)
        log.warning("reminders: send failed (%s), retry in %s", error, backoff)
        return "later"
