"""A person chatting with the bot through the sandbox: send text, tap buttons by their label.

Tests read like a person using the bot:

    person = harness.person(language_code="ky")
    await person.send("/start")
    await person.click("Кыргызча")
    assert "Башкы меню" in person.last.text
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.core import Sandbox, SandboxEvent, SandboxMessage, SandboxUser

Deliver = Callable[[dict[str, Any]], Awaitable[None]]


class NoSuchButton(AssertionError):
    pass


class Person:
    def __init__(self, sandbox: Sandbox, user: SandboxUser, deliver: Deliver, *, think_time: float = 1.5) -> None:
        self.sandbox = sandbox
        self.user = user
        self.deliver = deliver
        self.think_time = think_time
        self.seen: list[SandboxEvent] = []  # what the bot did in answer to the last action

    @property
    def id(self) -> int:
        return self.user.id

    async def _act(self, update: dict[str, Any]) -> list[SandboxEvent]:
        advance = getattr(self.sandbox.clock, "advance", None)
        if advance is not None:
            advance(self.think_time)  # people take a moment between actions
        mark = len(self.sandbox.events)
        await self.deliver(update)
        self.seen = [e for e in self.sandbox.events[mark:] if e.chat_id == self.id]
        return self.seen

    async def send(self, text: str) -> list[SandboxEvent]:
        return await self._act(self.sandbox.user_message(self.id, text))

    async def send_media(self, kind: str, caption: str | None = None, **extra: Any) -> list[SandboxEvent]:
        return await self._act(self.sandbox.user_message(self.id, caption, kind=kind, extra=extra))

    async def send_document(self, file_name: str, content: bytes, caption: str | None = None) -> list[SandboxEvent]:
        return await self._act(self.sandbox.user_document(self.id, file_name, content, caption))

    async def reply(self, message: SandboxMessage, text: str) -> list[SandboxEvent]:
        """Answer a message of the bot with Telegram's Reply."""
        return await self._act(self.sandbox.user_message(self.id, text, reply_to=message))

    async def send_in(
        self, chat_id: int, text: str | None, *, thread_id: int | None = None, kind: str = "text",
        reply_to: SandboxMessage | None = None,
    ) -> list[SandboxEvent]:
        """Write in a group the person belongs to: in General, or in a forum topic (`thread_id`)."""
        return await self._act(self.sandbox.user_message(
            self.id, text, chat_id=chat_id, thread_id=thread_id, kind=kind, reply_to=reply_to
        ))

    async def edit(self, message_id: int, text: str) -> list[SandboxEvent]:
        return await self._act(self.sandbox.user_edit(self.id, message_id, text))

    async def click(self, label: str, message: SandboxMessage | None = None) -> list[SandboxEvent]:
        """Tap the button whose label contains `label` (an exact label wins), on the newest message having one."""
        found, button = self.find_button(label, message)
        if found.inline:
            return await self._act(self.sandbox.user_click(self.id, found, button["callback_data"]))
        return await self.send(button["text"] if isinstance(button, dict) else str(button))

    async def click_data(self, data: str, message: SandboxMessage | None = None) -> list[SandboxEvent]:
        """Send a callback with arbitrary data (a forged or stale button)."""
        target = message or self.last
        assert target is not None, "no message to click on"
        return await self._act(self.sandbox.user_click(self.id, target, data))

    async def block(self) -> list[SandboxEvent]:
        return await self._act(self.sandbox.user_sets_blocked(self.id, True))

    async def unblock(self) -> list[SandboxEvent]:
        return await self._act(self.sandbox.user_sets_blocked(self.id, False))

    def find_button(self, label: str, message: SandboxMessage | None = None) -> tuple[SandboxMessage, Any]:
        candidates = [message] if message else list(reversed(self.sandbox.bot_messages(self.id)))
        for candidate in candidates:
            buttons = [b for row in candidate.buttons for b in row]
            texts = [b["text"] if isinstance(b, dict) else str(b) for b in buttons]
            for wanted in (lambda t: t == label, lambda t: label in t):
                for button, text in zip(buttons, texts, strict=True):
                    if wanted(text):
                        return candidate, button
        raise NoSuchButton(f"no button {label!r}; the screen is:\n{self.screen()}")

    @property
    def messages(self) -> list[SandboxMessage]:
        return self.sandbox.bot_messages(self.id)

    @property
    def last(self) -> SandboxMessage:
        messages = self.messages
        assert messages, "the bot has sent nothing to this person"
        return messages[-1]

    @property
    def alerts(self) -> list[str]:
        """Texts of callback answers (toasts and alerts) the bot showed in answer to the last action."""
        return [e.payload["text"] for e in self.seen if e.kind == "callback_answer" and e.payload.get("text")]

    def screen(self, message: SandboxMessage | None = None) -> str:
        message = message or (self.messages[-1] if self.messages else None)
        if message is None:
            return "(nothing)"
        return render_message(message)


def render_message(message: SandboxMessage, numbered: bool = False, start: int = 1) -> str:
    lines = [html.unescape(message.text or f"[{message.kind}]")]
    number = start
    for row in message.buttons:
        labels = []
        for button in row:
            text = button["text"] if isinstance(button, dict) else str(button)
            labels.append(f"[{number}] {text}" if numbered else f"[{text}]")
            number += 1
        lines.append("  ".join(labels))
    return "\n".join(lines)


def queued_delivery(sandbox: Sandbox, *, timeout: float = 15.0, settle: float = 0.2) -> Deliver:
    """Deliver through getUpdates (a bot running as a process) and wait until it has answered."""

    async def deliver(update: dict[str, Any]) -> None:
        chat_id = _chat_of(update)
        mark = len(sandbox.events)
        sandbox.enqueue(update)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not any(e.chat_id == chat_id for e in sandbox.events[mark:]):
            if loop.time() > deadline:
                raise TimeoutError(f"the bot did not answer update {update['update_id']} within {timeout}s")
            await asyncio.sleep(0.02)
        # let follow-up calls of the same handler land
        count = -1
        while count != len(sandbox.events):
            count = len(sandbox.events)
            await asyncio.sleep(settle)

    return deliver


def _chat_of(update: dict[str, Any]) -> int:
    for key in ("message", "edited_message"):
        if key in update:
            return int(update[key]["chat"]["id"])
    if "callback_query" in update:
        return int(update["callback_query"]["from"]["id"])
    if "my_chat_member" in update:
        return int(update["my_chat_member"]["chat"]["id"])
    raise ValueError("unknown update type")
