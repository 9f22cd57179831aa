"""An in-memory Telegram for local use and tests.

It keeps users, private chats and groups, messages with their edits and deletions, a queue of
updates with offsets, and callback queries; it answers the Bot API methods the bot uses with
correctly shaped objects, and with Telegram's real errors (too long text, bad callback data,
"message is not modified", a user who blocked the bot, flood limits with retry_after).

The same core has two faces: `SandboxSession` (an aiogram session, in-process) and
`bot.sandbox.server` (HTTP `/bot<token>/<method>` with long polling). Both pass parameters as
Telegram receives them: strings, with JSON for objects and arrays.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.config import SANDBOX_TOKEN
from bot.sandbox.html import EntityParseError, html_to_text, utf16_len

BOT_ID = int(SANDBOX_TOKEN.split(":")[0])
MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
DELETE_WINDOW = 48 * 3600
CALLBACK_QUERY_TTL = 15 * 60
# Parameters that are strings even when they look like JSON (a text "123" stays "123").
STRING_PARAMS = {
    "text", "caption", "callback_query_id", "inline_message_id", "parse_mode", "language_code",
    "description", "short_description", "name", "url", "secret_token", "business_connection_id",
    "emoji", "action", "title", "question",
}
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # Telegram: photos up to 10 MB, width + height <= 10000, ratio <= 20
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024  # bots send files up to 50 MB
REACTIONS = {"👍", "👎", "❤", "🔥", "👏", "👀", "🙏", "👌", "✍", "🤝", "🫡"}  # some of Telegram's standard reactions
SENDING_METHODS = {"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"}
TOPIC_NAME_MAX = 128
ADMIN_RIGHTS = (  # what an administrator may be allowed, each granted separately
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members", "can_promote_members",
    "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories",
    "can_pin_messages", "can_manage_topics",
)


class TelegramError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> TelegramError:
    return TelegramError(400, f"Bad Request: {reason}")


class FakeClock:
    """A monotonic clock tests move by hand."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.value = start

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


@dataclass
class Limits:
    """Telegram's flood limits: messages per chat, per group, overall (token buckets)."""

    enabled: bool = True
    private_rate: float = 1.0  # messages per second into one private chat
    private_burst: int = 3  # Telegram tolerates short bursts
    group_rate: float = 20 / 60  # 20 messages per minute into one group
    group_burst: int = 20
    global_rate: float = 30.0  # messages per second overall
    global_burst: int = 30

    @classmethod
    def off(cls) -> Limits:
        return cls(enabled=False)

    @classmethod
    def strict(cls) -> Limits:
        """No bursts into one chat: 1/s per private chat, one per 3 s into a group; 30/s overall."""
        return cls(private_burst=1, group_burst=1)


class _Bucket:
    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate, self.capacity, self.tokens, self.stamp = rate, capacity, float(capacity), now

    def wait_time(self, now: float) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class SandboxUser:
    id: int
    first_name: str
    language_code: str | None = "ru"
    username: str | None = None
    last_name: str | None = None
    blocked_bot: bool = False
    started: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class SandboxMessage:
    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None = None  # what a person sees (entities rendered away)
    source: str | None = None  # as sent by the bot (HTML)
    kind: str = "text"
    reply_markup: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    edit_date: int | None = None
    edits: int = 0
    deleted: bool = False
    reply_to: SandboxMessage | None = None  # the message this one answers (Telegram's Reply)
    thread_id: int | None = None  # the forum topic it is in (None: General, or not a forum)

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        if not self.reply_markup:
            return []
        return self.reply_markup.get("inline_keyboard") or self.reply_markup.get("keyboard") or []

    @property
    def inline(self) -> bool:
        return bool(self.reply_markup and "inline_keyboard" in self.reply_markup)

    def button_labels(self) -> list[str]:
        return [b["text"] if isinstance(b, dict) else str(b) for row in self.buttons for b in row]


@dataclass
class SandboxEvent:
    """Something the bot did that a person would notice: a new message, an edit, a deletion, an answer."""

    seq: int
    kind: str  # "message" | "edit" | "delete" | "callback_answer"
    chat_id: int
    message: SandboxMessage | None = None
    payload: dict[str, Any] = field(default_factory=dict)


class Sandbox:
    def __init__(
        self,
        *,
        token: str = SANDBOX_TOKEN,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        bot_username: str = "safe_migration_sandbox_bot",
        inline_mode: bool = True,  # BotFather's /setinline: people may type "@bot ..." in any chat
    ) -> None:
        self.token = token
        self.limits = limits or Limits()
        self.clock = clock
        self.wall_clock = wall_clock
        self.bot_user = {
            "id": int(token.split(":")[0]), "is_bot": True, "first_name": "Safe Migration (sandbox)",
            "username": bot_username, "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": inline_mode,
        }
        self.users: dict[int, SandboxUser] = {}
        self.groups: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], SandboxMessage] = {}
        self._by_chat: dict[int, list[SandboxMessage]] = {}  # the same messages, per chat, in order
        self._message_ids: dict[int, itertools.count[int]] = {}
        self.updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._updates_changed = asyncio.Event()
        self._poll_generation = 0
        self.callback_queries: dict[str, dict[str, Any]] = {}
        self._callback_ids = itertools.count(1)
        self.inline_queries: dict[str, dict[str, Any]] = {}  # id -> who asked, when, and the bot's answer (results)
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.events: list[SandboxEvent] = []
        self._event_seq = itertools.count(1)
        self.listeners: list[Callable[[SandboxEvent], None]] = []
        self.injected: dict[str, deque[TelegramError]] = {}
        self.rate_limited: int = 0  # how many 429s were answered
        self.rate_limited_chats: dict[int, int] = {}  # the same, per chat
        self.holds: dict[str, asyncio.Event] = {}
        self._buckets: dict[Any, _Bucket] = {}
        self.record_requests = True
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile and downloads
        self.webhook: dict[str, Any] | None = None  # url, secret_token, max_connections, allowed_updates (setWebhook)
        self.webhook_routes: dict[str, str] = {}  # a public https origin -> the local address that answers for it
        self.webhook_error: tuple[int, str] | None = None  # (date, message) of the last failed delivery
        self.webhook_delivered = 0  # posts answered 2xx
        self._pusher: asyncio.Task[None] | None = None
        self._uploads: dict[str, tuple[str, bytes]] = {}  # the files of the request being answered

    # ---------------------------------------------------------------- people and chats
    def add_user(
        self, user_id: int, first_name: str = "Test", language_code: str | None = "ru", **extra: Any
    ) -> SandboxUser:
        user = self.users.get(user_id)
        if user is None:
            user = SandboxUser(user_id, first_name, language_code, **extra)
            self.users[user_id] = user
        return user

    def add_group(
        self, chat_id: int, title: str, members: list[int] | tuple[int, ...] = (), *, forum: bool = False,
        bot_rights: tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """A supergroup; `forum` turns topics on. `bot_rights`: the bot is an administrator with these rights
        (None: a plain member). A forum's bot is made an administrator with all rights unless told otherwise."""
        if chat_id >= 0:
            raise ValueError("group ids are negative")
        if bot_rights is None and forum:
            bot_rights = ADMIN_RIGHTS
        group = {
            "id": chat_id, "type": "supergroup", "title": title, "members": set(members), "bot_member": True,
            "forum": forum, "bot_rights": set(bot_rights) if bot_rights is not None else None,
            "topics": {}, "pinned": None,
        }
        self.groups[chat_id] = group
        return group

    def topic(self, chat_id: int, thread_id: int) -> dict[str, Any]:
        """A forum topic: name, icon_color, closed, deleted."""
        return self.groups[chat_id]["topics"][thread_id]

    def topics(self, chat_id: int, *, include_deleted: bool = False) -> dict[int, dict[str, Any]]:
        return {k: v for k, v in self.groups[chat_id]["topics"].items() if include_deleted or not v["deleted"]}

    def thread_messages(self, chat_id: int, thread_id: int | None, *, include_deleted: bool = False) -> list[SandboxMessage]:
        """The messages of one topic (None: General), service messages included."""
        return [m for m in self.chat_messages(chat_id, include_deleted=include_deleted) if m.thread_id == thread_id]

    def remove_bot_from_group(self, chat_id: int, removed: bool = True) -> None:
        """The bot is kicked from a group (or added back): posts there fail with 403 until it returns."""
        self.groups[chat_id]["bot_member"] = not removed

    def chat_dict(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.groups:
            group = self.groups[chat_id]
            data = {"id": chat_id, "type": group["type"], "title": group["title"]}
            if group["forum"]:
                data["is_forum"] = True
            return data
        user = self.users[chat_id]
        data = {"id": chat_id, "type": "private", "first_name": user.first_name}
        if user.username:
            data["username"] = user.username
        return data

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _store(self, message: SandboxMessage) -> None:
        self.messages[(message.chat_id, message.message_id)] = message
        self._by_chat.setdefault(message.chat_id, []).append(message)

    def chat_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[SandboxMessage]:
        return [m for m in self._by_chat.get(chat_id, ()) if include_deleted or not m.deleted]

    def bot_messages(self, chat_id: int) -> list[SandboxMessage]:
        return [m for m in self.chat_messages(chat_id) if m.from_bot]

    # ---------------------------------------------------------------- updates (what people do)
    def _new_update(self, **payload: Any) -> dict[str, Any]:
        return {"update_id": next(self._update_ids), **payload}

    def enqueue(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (the HTTP face and `run`). As with Telegram, ids increase in the
        order updates are queued (a bot confirms all below an offset): make updates in the order they go."""
        if self.updates and update["update_id"] <= self.updates[-1]["update_id"]:
            raise ValueError(f"update {update['update_id']} queued after {self.updates[-1]['update_id']}")
        self.updates.append(update)
        self._updates_changed.set()

    def user_message(
        self,
        user_id: int,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        kind: str = "text",
        extra: dict[str, Any] | None = None,
        reply_to: SandboxMessage | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """Build the update of a person sending a message (text, or a sticker, photo, ... with `text` as caption);
        `thread_id`: in that topic of a forum group (a reply to a message of a topic is in that topic)."""
        user = self.users[user_id]
        chat_id = user_id if chat_id is None else chat_id
        if chat_id == user_id:
            user.started = True
            user.blocked_bot = False
        if reply_to is not None and thread_id is None:
            thread_id = reply_to.thread_id
        if thread_id is not None:
            topic = self.groups[chat_id]["topics"].get(thread_id)
            if topic is None or topic["deleted"]:
                raise ValueError(f"no topic {thread_id} in chat {chat_id}")
            if topic["closed"]:
                raise ValueError(f"topic {thread_id} is closed: only administrators can write there")
            if reply_to is None:  # as Telegram does: a message in a topic answers the topic's first message
                reply_to = self.messages[(chat_id, thread_id)]
        message = SandboxMessage(
            chat_id=chat_id, message_id=self._next_message_id(chat_id), from_bot=False, sender_id=user_id,
            date=int(self.wall_clock()), text=text, kind=kind, extra=dict(extra or {}), reply_to=reply_to,
            thread_id=thread_id,
        )
        self._store(message)
        body = self._message_dict(message)
        if kind == "text" and text is not None and text.startswith("/"):
            command = text.split()[0]
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        return self._new_update(message=body)

    def user_document(self, user_id: int, file_name: str, content: bytes, caption: str | None = None) -> dict[str, Any]:
        """Build the update of a person sending a file; the bot can fetch it with getFile and a download."""
        file_id = f"sandbox-doc-{len(self.files) + 1}"
        self.files[file_id] = content
        return self.user_message(
            user_id, caption, kind="document", extra={"file_id": file_id, "file_name": file_name, "file_size": len(content)}
        )

    def file_content(self, file_path: str) -> bytes:
        """A file by the path getFile gave (what `/file/bot<token>/<path>` serves)."""
        file_id = file_path.removeprefix("documents/")
        if file_id not in self.files:
            raise KeyError(file_path)
        return self.files[file_id]

    def user_edit(self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None) -> dict[str, Any]:
        chat_id = user_id if chat_id is None else chat_id
        message = self.messages[(chat_id, message_id)]
        message.text = text
        message.edit_date = int(self.wall_clock())
        message.edits += 1
        return self._new_update(edited_message=self._message_dict(message))

    def user_click(self, user_id: int, message: SandboxMessage, data: str) -> dict[str, Any]:
        """A person taps an inline button (`data` need not be on the message: tests forge it)."""
        query_id = f"{BOT_ID}{next(self._callback_ids):08d}"
        query = {
            "id": query_id,
            "from": self.users[user_id].to_dict(),
            "message": self._message_dict(message),
            "chat_instance": str(abs(hash((BOT_ID, message.chat_id))) % 10**18),
            "data": data,
        }
        self.callback_queries[query_id] = {"created": self.clock(), "answered": False, "user_id": user_id}
        return self._new_update(callback_query=query)

    def user_inline_query(self, user_id: int, query: str, *, chat_type: str = "private") -> dict[str, Any]:
        """A person types "@bot <query>" in any chat (`chat_type`: where they type it). The bot answers with
        answerInlineQuery; `inline_results(id)` is what the person then sees."""
        if not self.bot_user.get("supports_inline_queries"):
            raise ValueError("inline mode is off for this bot (BotFather /setinline)")
        query_id = f"{BOT_ID}{next(self._callback_ids):08d}"
        self.inline_queries[query_id] = {"created": self.clock(), "user_id": user_id, "results": None}
        return self._new_update(inline_query={
            "id": query_id, "from": self.users[user_id].to_dict(), "query": query, "offset": "", "chat_type": chat_type,
        })

    def inline_results(self, query_id: str) -> list[dict[str, Any]]:
        found = self.inline_queries[query_id]["results"]
        if found is None:
            raise ValueError(f"inline query {query_id} was not answered")
        return list(found)

    def user_sends_inline_result(self, user_id: int, chat_id: int, query_id: str, result_id: str) -> SandboxMessage:
        """The person taps one of the results: it is sent into `chat_id` (any chat: a family group, a
        private chat with someone else), "via @bot", as the bot prepared it."""
        result = next(r for r in self.inline_results(query_id) if r["id"] == result_id)
        content = result["input_message_content"]
        source, text = self._render(content, "message_text")
        message = SandboxMessage(
            chat_id=chat_id, message_id=self._next_message_id(chat_id), from_bot=False, sender_id=user_id,
            date=int(self.wall_clock()), text=text, source=source, reply_markup=result.get("reply_markup"),
            extra={"via_bot": self.bot_user["username"]},
        )
        self._store(message)
        self._emit("message", chat_id, message)
        return message

    def user_sets_blocked(self, user_id: int, blocked: bool) -> dict[str, Any]:
        user = self.users[user_id]
        user.blocked_bot = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        return self._new_update(my_chat_member={
            "chat": self.chat_dict(user_id),
            "from": user.to_dict(),
            "date": int(self.wall_clock()),
            "old_chat_member": self._member(old),
            "new_chat_member": self._member(new),
        })

    def _member(self, status: str) -> dict[str, Any]:
        user = {k: v for k, v in self.bot_user.items() if k in {"id", "is_bot", "first_name", "username"}}
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "kicked":
            member["until_date"] = 0
        return member

    def _message_dict(self, message: SandboxMessage, nested: bool = True) -> dict[str, Any]:
        sender = self.bot_user if message.from_bot else self.users[message.sender_id].to_dict()
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self.chat_dict(message.chat_id),
            "from": {k: v for k, v in sender.items() if k in {"id", "is_bot", "first_name", "username", "language_code", "last_name"}},
        }
        if message.thread_id is not None:
            body["message_thread_id"] = message.thread_id
            body["is_topic_message"] = True
        if message.kind == "text":
            if message.text is not None:
                body["text"] = message.text
        elif message.kind.startswith("forum_topic_"):
            body[message.kind] = message.extra.get("service", {})
        else:
            body.update(_media_payload(message))
            if message.text:
                body["caption"] = message.text
        if message.edit_date:
            body["edit_date"] = message.edit_date
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            body["reply_markup"] = message.reply_markup
        if message.reply_to is not None and nested:
            body["reply_to_message"] = self._message_dict(message.reply_to, nested=False)  # one level, as Telegram
        return body

    # ---------------------------------------------------------------- the bot's side (Bot API)
    def inject_error(self, method: str, code: int, description: str, retry_after: int | None = None) -> None:
        """Make the next call of `method` fail as Telegram would (tests of error handling)."""
        self.injected.setdefault(method, deque()).append(TelegramError(code, description, retry_after))

    def hold(self, method: str) -> asyncio.Event:
        """Make the next call of `method` hang until cancelled (a process dying mid-request).
        Returns an event that is set once the call is hanging."""
        reached = asyncio.Event()
        self.holds[method] = reached
        return reached

    async def request(
        self, token: str, method: str, params: dict[str, Any], uploads: dict[str, tuple[str, bytes]] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, JSON body). `uploads` are the files sent with it
        (name -> (file name, content)), referred to as attach://name in the parameters."""
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        handler = _METHODS.get(method.lower())
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        name = handler.__name__.removeprefix("_m_")
        args = {key: _coerce(key, value) for key, value in params.items()}
        if self.record_requests:
            self.requests.append((name, args))
        reached = self.holds.pop(name, None)
        if reached is not None:
            reached.set()
            await asyncio.Event().wait()  # until the caller is cancelled
        try:
            queue = self.injected.get(name)
            if queue:
                raise queue.popleft()
            self._uploads = uploads or {}
            try:
                result = handler(self, args)
            finally:
                self._uploads = {}
            if asyncio.iscoroutine(result):
                result = await result
        except TelegramError as error:
            if error.code == 429:
                self.rate_limited += 1
            return error.code, error.payload()
        except (KeyError, ValueError, TypeError) as error:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
        return 200, {"ok": True, "result": result}

    def _emit(self, kind: str, chat_id: int, message: SandboxMessage | None = None, **payload: Any) -> None:
        event = SandboxEvent(next(self._event_seq), kind, chat_id, message, payload)
        self.events.append(event)
        for listener in list(self.listeners):
            listener(event)

    def _check_chat_writable(self, chat_id: int) -> None:
        if chat_id in self.groups:
            if not self.groups[chat_id]["bot_member"]:
                raise TelegramError(403, "Forbidden: bot was kicked from the supergroup chat")
            return
        user = self.users.get(chat_id)
        if user is None:
            raise bad_request("chat not found")
        if user.blocked_bot:
            raise TelegramError(403, "Forbidden: bot was blocked by the user")
        if not user.started:
            raise TelegramError(403, "Forbidden: bot can't initiate conversation with a user")

    def _check_flood(self, chat_id: int) -> None:
        if not self.limits.enabled:
            return
        now = self.clock()
        limits = self.limits
        if chat_id in self.groups:
            chat_bucket = self._bucket(("chat", chat_id), limits.group_rate, limits.group_burst, now)
        else:
            chat_bucket = self._bucket(("chat", chat_id), limits.private_rate, limits.private_burst, now)
        global_bucket = self._bucket("global", limits.global_rate, limits.global_burst, now)
        wait = max(chat_bucket.wait_time(now), global_bucket.wait_time(now))
        if wait > 0:
            retry = max(1, math.ceil(wait))
            self.rate_limited_chats[chat_id] = self.rate_limited_chats.get(chat_id, 0) + 1
            raise TelegramError(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        chat_bucket.take()
        global_bucket.take()

    def _bucket(self, key: Any, rate: float, capacity: int, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(rate, capacity, now)
        return bucket

    def _render(self, args: dict[str, Any], field_name: str = "text") -> tuple[str, str]:
        source = args.get(field_name)
        if source is None or source == "":
            raise bad_request("message text is empty")
        source = str(source)
        parse_mode = (args.get("parse_mode") or "").upper()
        if parse_mode == "HTML":
            try:
                text = html_to_text(source)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif parse_mode in ("MARKDOWN", "MARKDOWNV2"):
            text = source  # not used by this bot; kept as sent
        else:
            text = source
        if not text.strip():
            raise bad_request("message text is empty")
        limit = 1024 if field_name == "caption" else MAX_TEXT
        if utf16_len(text) > limit:
            raise bad_request("message is too long" if field_name == "text" else "message caption is too long")
        return source, text

    def _check_markup(self, markup: Any) -> dict[str, Any] | None:
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list):
                raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
            for row in rows:
                for button in row:
                    if not button.get("text"):
                        raise bad_request("text buttons are unallowed in the inline keyboard")
                    data = button.get("callback_data")
                    if data is not None and not (1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA):
                        raise bad_request("BUTTON_DATA_INVALID")
                    actions = [k for k in button if k != "text" and k != "style"]
                    if len(actions) != 1:
                        raise bad_request("can't find field \"callback_data\" in an InlineKeyboardButton")
        elif "keyboard" in markup:
            for row in markup["keyboard"]:
                for button in row:
                    label = button.get("text") if isinstance(button, dict) else button
                    if not label:
                        raise bad_request("keyboard button text is empty")
        return markup

    def _find_message(self, args: dict[str, Any], purpose: str) -> SandboxMessage:
        if args.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the sandbox")
        key = (int(args["chat_id"]), int(args["message_id"]))
        message = self.messages.get(key)
        if message is None or message.deleted:
            raise bad_request(f"message to {purpose} not found")
        return message

    def _replied(self, chat_id: int, args: dict[str, Any]) -> SandboxMessage | None:
        """The message a send answers (reply_parameters, or the older reply_to_message_id), in the same chat."""
        parameters = args.get("reply_parameters")
        if isinstance(parameters, str):
            parameters = json.loads(parameters)
        wanted = parameters.get("message_id") if isinstance(parameters, dict) else args.get("reply_to_message_id")
        if wanted is None:
            return None
        message = self.messages.get((chat_id, int(wanted)))
        if message is None or message.deleted:
            if isinstance(parameters, dict) and parameters.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return message

    def _send(self, chat_id: int, kind: str, args: dict[str, Any]) -> dict[str, Any]:
        self._check_chat_writable(chat_id)
        source: str | None = None
        text: str | None = None
        if kind == "text":
            source, text = self._render(args, "text")
        elif args.get("caption"):
            source, text = self._render(args, "caption")
        markup = self._check_markup(args.get("reply_markup"))
        thread_id = self._thread(chat_id, args)
        reply_to = self._replied(chat_id, args)
        if reply_to is not None and thread_id is None:
            thread_id = reply_to.thread_id
        self._check_flood(chat_id)
        message = SandboxMessage(
            chat_id=chat_id, message_id=self._next_message_id(chat_id), from_bot=True, sender_id=BOT_ID,
            date=int(self.wall_clock()), text=text, source=source, kind=kind, reply_markup=markup, reply_to=reply_to,
            thread_id=thread_id,
        )
        if kind != "text":
            message.extra = {"file": str(args.get(kind, "")), **self._upload(kind, str(args.get(kind, "")))}
        self._store(message)
        self._emit("message", chat_id, message)
        return self._message_dict(message)

    def _thread(self, chat_id: int, args: dict[str, Any]) -> int | None:
        """The topic a send goes to: `message_thread_id` in a forum (checked as Telegram checks it); ignored
        elsewhere, as Telegram ignores it in chats without topics."""
        wanted = args.get("message_thread_id")
        group = self.groups.get(chat_id)
        if wanted in (None, "") or group is None or not group["forum"]:
            return None
        topic = group["topics"].get(int(wanted))
        if topic is None or topic["deleted"]:
            raise bad_request("message thread not found")
        if topic["closed"] and not self._bot_may(chat_id, "can_manage_topics"):
            raise bad_request("TOPIC_CLOSED")
        return int(wanted)

    def _bot_may(self, chat_id: int, right: str) -> bool:
        rights = self.groups[chat_id]["bot_rights"]
        return rights is not None and right in rights

    def _topic_of(self, args: dict[str, Any], *, manage: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
        """The group and the topic a topic method names; a bot without "manage topics" may still edit, close
        and reopen the topics it created itself (Telegram's rule)."""
        chat_id = int(args["chat_id"])
        group = self._forum(chat_id)
        topic = group["topics"].get(int(args["message_thread_id"]))
        if topic is None or topic["deleted"]:
            raise bad_request("message thread not found")
        if manage and not self._bot_may(chat_id, "can_manage_topics") and not topic["by_bot"]:
            raise bad_request("not enough rights to manage topics")
        return group, topic

    def _service(self, chat_id: int, thread_id: int | None, kind: str, service: dict[str, Any]) -> SandboxMessage:
        """A service message ("topic created", "closed"...) the bot's action leaves in the chat."""
        message_id = self._next_message_id(chat_id)
        message = SandboxMessage(
            chat_id=chat_id, message_id=message_id, from_bot=True, sender_id=BOT_ID, date=int(self.wall_clock()),
            kind=kind, extra={"service": service}, thread_id=thread_id if thread_id is not None else message_id,
        )
        self._store(message)
        return message

    def _forum(self, chat_id: int) -> dict[str, Any]:
        """The group a topic method names, which must be a forum the bot is in."""
        group = self.groups.get(chat_id)
        if group is None:
            raise bad_request("chat not found")
        if not group["bot_member"]:
            raise TelegramError(403, "Forbidden: bot was kicked from the supergroup chat")
        if not group["forum"]:
            raise bad_request("the chat is not a forum")
        return group

    def create_topic(self, args: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(args["chat_id"])
        group = self._forum(chat_id)
        if not self._bot_may(chat_id, "can_manage_topics"):
            raise bad_request("not enough rights to create a topic")
        name = str(args.get("name") or "")
        if not name.strip():
            raise bad_request("TOPIC_TITLE_EMPTY")
        if len(name) > TOPIC_NAME_MAX:
            raise bad_request("TOPIC_TITLE_TOO_LONG")  # refused, not cut
        self._check_flood(chat_id)
        color = int(args.get("icon_color") or 7322096)
        created = self._service(chat_id, None, "forum_topic_created", {"name": name, "icon_color": color})
        thread_id = created.message_id
        group["topics"][thread_id] = {"name": name, "icon_color": color, "closed": False, "deleted": False, "by_bot": True}
        self._emit("topic", chat_id, created, action="created", thread_id=thread_id, name=name)
        return {"message_thread_id": thread_id, "name": name, "icon_color": color}

    def edit_topic(self, args: dict[str, Any]) -> bool:
        _group, topic = self._topic_of(args)
        name = args.get("name")
        if name is not None and not (1 <= len(str(name)) <= TOPIC_NAME_MAX):
            raise bad_request("TOPIC_TITLE_EMPTY" if not str(name).strip() else "TOPIC_TITLE_TOO_LONG")
        if name is None or str(name) == topic["name"]:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["name"] = str(name)
        thread_id = int(args["message_thread_id"])
        self._service(int(args["chat_id"]), thread_id, "forum_topic_edited", {"name": topic["name"]})
        self._emit("topic", int(args["chat_id"]), None, action="edited", thread_id=thread_id, name=topic["name"])
        return True

    def close_topic(self, args: dict[str, Any], closed: bool) -> bool:
        _group, topic = self._topic_of(args)
        if topic["closed"] == closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["closed"] = closed
        thread_id = int(args["message_thread_id"])
        kind = "forum_topic_closed" if closed else "forum_topic_reopened"
        self._service(int(args["chat_id"]), thread_id, kind, {})
        self._emit("topic", int(args["chat_id"]), None, action="closed" if closed else "reopened", thread_id=thread_id)
        return True

    def delete_topic(self, args: dict[str, Any]) -> bool:
        """The topic goes, with every message in it."""
        chat_id = int(args["chat_id"])
        _group, topic = self._topic_of(args, manage=False)
        if not self._bot_may(chat_id, "can_delete_messages"):
            raise bad_request("CHAT_ADMIN_REQUIRED")  # deleting a topic needs "delete messages"
        thread_id = int(args["message_thread_id"])
        topic["deleted"] = True
        for message in self.thread_messages(chat_id, thread_id):
            message.deleted = True
        self._emit("topic", chat_id, None, action="deleted", thread_id=thread_id)
        return True

    def pin(self, args: dict[str, Any]) -> bool:
        message = self._find_message(args, "pin")
        chat_id = message.chat_id
        if chat_id in self.groups and not self._bot_may(chat_id, "can_pin_messages"):
            raise bad_request("not enough rights to manage pinned messages in the chat")
        if chat_id in self.groups:
            self.groups[chat_id]["pinned"] = message.message_id
        message.extra["pinned"] = True
        self._emit("pin", chat_id, message)
        return True

    def full_chat(self, args: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(args["chat_id"])
        if chat_id in self.groups and not self.groups[chat_id]["bot_member"]:
            raise TelegramError(403, "Forbidden: bot was kicked from the supergroup chat")
        if chat_id not in self.groups and chat_id not in self.users:
            raise bad_request("chat not found")
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"), False)
        data = {**self.chat_dict(chat_id), "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}
        pinned = self.groups[chat_id]["pinned"] if chat_id in self.groups else None
        if pinned is not None and not self.messages[(chat_id, pinned)].deleted:
            data["pinned_message"] = self._message_dict(self.messages[(chat_id, pinned)])
        return data

    def _upload(self, kind: str, reference: str) -> dict[str, Any]:
        """A file uploaded with the request: checked as Telegram checks it, then kept (and downloadable)."""
        if not reference.startswith("attach://"):
            return {}
        upload = self._uploads.get(reference.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f"file {reference} is not among the uploaded files")
        name, content = upload
        extra: dict[str, Any] = {"file_name": name, "file_size": len(content)}
        if kind == "photo":
            if len(content) > PHOTO_MAX_BYTES:
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            width, height = image_size(content)
            if width + height > 10000 or max(width, height) > 20 * min(width, height):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            extra.update(width=width, height=height)
        elif len(content) > DOCUMENT_MAX_BYTES:
            raise TelegramError(413, "Request Entity Too Large")
        file_id = f"sandbox-up-{len(self.files) + 1}"
        self.files[file_id] = content
        extra["file_id"] = file_id
        return extra

    def copy(self, args: dict[str, Any]) -> dict[str, Any]:
        """copyMessage: the same content in another chat, with no link to the sender; a new caption if given."""
        chat_id = int(args["chat_id"])
        original = self.messages.get((int(args["from_chat_id"]), int(args["message_id"])))
        if original is None or original.deleted:
            raise bad_request("message to copy not found")
        self._check_chat_writable(chat_id)
        text, source = original.text, original.source
        if original.kind != "text" and "caption" in args:
            if original.kind in ("sticker", "location", "contact", "video_note"):
                raise bad_request("can't use caption with this message type")
            source, text = self._render(args, "caption")
        markup = self._check_markup(args.get("reply_markup"))
        thread_id = self._thread(chat_id, args)
        self._check_flood(chat_id)
        message = SandboxMessage(
            chat_id=chat_id, message_id=self._next_message_id(chat_id), from_bot=True, sender_id=BOT_ID,
            date=int(self.wall_clock()), text=text, source=source, kind=original.kind, reply_markup=markup,
            extra={**original.extra, "copied_from": (original.chat_id, original.message_id)}, thread_id=thread_id,
        )
        self._store(message)
        self._emit("message", chat_id, message)
        return {"message_id": message.message_id}

    def chat_member(self, args: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(args["chat_id"]), int(args["user_id"])
        group = self.groups.get(chat_id)
        if group is None:
            raise bad_request("chat not found")
        if not group["bot_member"]:
            raise TelegramError(403, "Forbidden: bot was kicked from the supergroup chat")
        if user_id == BOT_ID:
            return self._bot_member(group)
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("PARTICIPANT_ID_INVALID")
        status = "member" if user_id in group["members"] else "left"
        return {"status": status, "user": user.to_dict()}

    def _bot_member(self, group: dict[str, Any]) -> dict[str, Any]:
        user = {k: v for k, v in self.bot_user.items() if k in {"id", "is_bot", "first_name", "username"}}
        rights = group["bot_rights"]
        if rights is None:
            return {"status": "member", "user": user}
        flags = {right: right in rights for right in ADMIN_RIGHTS}
        return {"status": "administrator", "user": user, "can_be_edited": False, "is_anonymous": False,
                "can_send_welcome_messages": False, **flags}

    def route_webhook(self, public_origin: str, local_base: str) -> None:
        """Where posts to `public_origin` (https://bot.example.org) go: the reverse proxy or the bot's own server
        on this machine (http://127.0.0.1:8081), as DNS and a proxy would take them there."""
        self.webhook_routes[public_origin.rstrip("/")] = local_base.rstrip("/")

    async def get_updates(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise TelegramError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                     "use deleteWebhook to delete the webhook first")
        offset = int(args.get("offset") or 0)
        limit = max(1, min(100, int(args.get("limit") or 100)))
        timeout = max(0.0, float(args.get("timeout") or 0))
        allowed = args.get("allowed_updates")
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + timeout
        while True:
            if offset:
                while self.updates and self.updates[0]["update_id"] < offset:
                    self.updates.popleft()  # confirmed
            ready = [u for u in self.updates if not allowed or any(k in u for k in allowed)][:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            self._updates_changed.clear()
            try:
                await asyncio.wait_for(self._updates_changed.wait(), timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                pass
            if generation != self._poll_generation:
                raise TelegramError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")


def image_size(content: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG; anything else is refused as Telegram refuses it."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and content[12:16] == b"IHDR":
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if content.startswith(b"\xff\xd8"):
        at = 2
        while at + 9 < len(content) and content[at] == 0xFF:
            marker, length = content[at + 1], int.from_bytes(content[at + 2:at + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return int.from_bytes(content[at + 7:at + 9], "big"), int.from_bytes(content[at + 5:at + 7], "big")
            at += 2 + length
    raise bad_request("IMAGE_PROCESS_FAILED")


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str) or key in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _media_payload(message: SandboxMessage) -> dict[str, Any]:
    file_id = message.extra.get("file_id", f"sandbox-file-{message.chat_id}-{message.message_id}")
    unique = f"u{message.chat_id}{message.message_id}"
    base = {"file_id": file_id, "file_unique_id": unique}
    kind = message.kind
    if kind == "photo":
        return {"photo": [{**base, "width": 320, "height": 240}]}
    if kind == "sticker":
        return {"sticker": {**base, "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False}}
    if kind == "voice":
        return {"voice": {**base, "duration": 3}}
    if kind == "video":
        return {"video": {**base, "width": 320, "height": 240, "duration": 3}}
    if kind == "document":
        document = {**base, "file_name": message.extra.get("file_name", "file.pdf")}
        if "file_size" in message.extra:
            document["file_size"] = message.extra["file_size"]
        return {"document": document}
    if kind == "location":
        return {"location": {"latitude": 55.75, "longitude": 37.62}}
    if kind == "contact":
        return {"contact": {"phone_number": "+70000000000", "first_name": "Contact"}}
    raise ValueError(f"unknown message kind {kind!r}")


# ---------------------------------------------------------------- Bot API methods
def _m_getMe(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    return sb.bot_user


async def _m_getUpdates(sb: Sandbox, args: dict[str, Any]) -> list[dict[str, Any]]:
    return await sb.get_updates(args)


def _m_setWebhook(sb: Sandbox, args: dict[str, Any]) -> bool:
    """As Telegram checks it: an https URL on port 443, 80, 88 or 8443; a secret of 1-256 of A-Z a-z 0-9 _ -."""
    from bot.sandbox.webhook import start_pushing

    url = str(args.get("url") or "")
    if not url:
        return _m_deleteWebhook(sb, args)
    if not url.startswith("https://"):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    port = url.split("://", 1)[1].split("/", 1)[0].rpartition(":")[2]
    if ":" in url.split("://", 1)[1].split("/", 1)[0] and port not in ("443", "80", "88", "8443"):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = args.get("secret_token")
    if secret is not None and not (1 <= len(str(secret)) <= 256 and all(c.isalnum() or c in "_-" for c in str(secret))):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    connections = int(args.get("max_connections") or 40)
    if not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    if args.get("drop_pending_updates"):
        sb.updates.clear()
    sb.webhook = {"url": url, "secret_token": secret, "max_connections": connections,
                  "allowed_updates": args.get("allowed_updates")}
    sb._poll_generation += 1  # a getUpdates waiting now ends with a conflict
    sb._updates_changed.set()
    start_pushing(sb)
    return True


def _m_deleteWebhook(sb: Sandbox, args: dict[str, Any]) -> bool:
    sb.webhook = None
    sb._updates_changed.set()
    if args.get("drop_pending_updates"):
        sb.updates.clear()
    return True


def _m_getWebhookInfo(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = {"url": sb.webhook["url"] if sb.webhook else "", "has_custom_certificate": False,
                            "pending_update_count": len(sb.updates)}
    if sb.webhook:
        info["max_connections"] = sb.webhook["max_connections"]
        if sb.webhook["allowed_updates"]:
            info["allowed_updates"] = sb.webhook["allowed_updates"]
    if sb.webhook_error:
        info["last_error_date"], info["last_error_message"] = sb.webhook_error
    return info


def _m_sendMessage(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    return sb._send(int(args["chat_id"]), "text", args)


def _m_sendPhoto(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    return sb._send(int(args["chat_id"]), "photo", args)


def _m_sendDocument(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    return sb._send(int(args["chat_id"]), "document", args)


def _m_copyMessage(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    return sb.copy(args)


def _m_getChatMember(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    return sb.chat_member(args)


def _m_getChat(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    return sb.full_chat(args)


def _m_createForumTopic(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    return sb.create_topic(args)


def _m_editForumTopic(sb: Sandbox, args: dict[str, Any]) -> bool:
    return sb.edit_topic(args)


def _m_closeForumTopic(sb: Sandbox, args: dict[str, Any]) -> bool:
    return sb.close_topic(args, True)


def _m_reopenForumTopic(sb: Sandbox, args: dict[str, Any]) -> bool:
    return sb.close_topic(args, False)


def _m_deleteForumTopic(sb: Sandbox, args: dict[str, Any]) -> bool:
    return sb.delete_topic(args)


def _m_pinChatMessage(sb: Sandbox, args: dict[str, Any]) -> bool:
    return sb.pin(args)


def _m_sendChatAction(sb: Sandbox, args: dict[str, Any]) -> bool:
    sb._check_chat_writable(int(args["chat_id"]))
    sb._thread(int(args["chat_id"]), args)
    return True


def _m_editMessageText(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    message = sb._find_message(args, "edit")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    sb._check_chat_writable(message.chat_id)
    source, text = sb._render(args, "text")
    markup = sb._check_markup(args.get("reply_markup"))
    if text == message.text and markup == (message.reply_markup if message.inline else None):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are exactly "
            "the same as a current content and reply markup of the message"
        )
    message.text, message.source = text, source
    message.reply_markup = markup
    message.edit_date = int(sb.wall_clock())
    message.edits += 1
    sb._emit("edit", message.chat_id, message)
    return sb._message_dict(message)


def _m_editMessageReplyMarkup(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    message = sb._find_message(args, "edit")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    markup = sb._check_markup(args.get("reply_markup"))
    if markup == (message.reply_markup if message.inline else None):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are exactly "
            "the same as a current content and reply markup of the message"
        )
    message.reply_markup = markup
    message.edit_date = int(sb.wall_clock())
    message.edits += 1
    sb._emit("edit", message.chat_id, message)
    return sb._message_dict(message)


def _m_deleteMessage(sb: Sandbox, args: dict[str, Any]) -> bool:
    message = sb._find_message(args, "delete")
    if sb.wall_clock() - message.date > DELETE_WINDOW:
        raise bad_request("message can't be deleted for everyone")
    if not message.from_bot and message.chat_id in sb.groups:
        raise bad_request("message can't be deleted")
    message.deleted = True
    sb._emit("delete", message.chat_id, message)
    return True


def _m_setMessageReaction(sb: Sandbox, args: dict[str, Any]) -> bool:
    """The bot reacts to a message (a person sees it on their own message)."""
    message = sb._find_message(args, "react to")
    emoji = [r["emoji"] for r in args.get("reaction") or () if r.get("type") == "emoji"]
    if any(e not in REACTIONS for e in emoji):
        raise bad_request("REACTION_INVALID")
    message.extra["reaction"] = emoji
    sb._emit("reaction", message.chat_id, message, emoji=emoji)
    return True


INLINE_QUERY_TTL = 10.0  # seconds Telegram waits for an inline answer
INLINE_TYPES = {"article"}  # what this bot sends (others would need their own checks)


def _m_answerInlineQuery(sb: Sandbox, args: dict[str, Any]) -> bool:
    """The bot's results for an inline query: at most 50, ids unique (1-64 bytes), each an article with a
    title and a message to send (its text checked as sendMessage checks it), buttons with a URL or data."""
    query = sb.inline_queries.get(str(args["inline_query_id"]))
    if query is None or query["results"] is not None or sb.clock() - query["created"] > INLINE_QUERY_TTL:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    results = args.get("results")
    if not isinstance(results, list) or len(results) > 50:
        raise bad_request("RESULTS_TOO_MUCH")
    ids = [str(r.get("id", "")) for r in results]
    if len(set(ids)) != len(ids) or not all(1 <= len(i.encode("utf-8")) <= 64 for i in ids):
        raise bad_request("RESULT_ID_INVALID")
    for result in results:
        if result.get("type") not in INLINE_TYPES or not result.get("title"):
            raise bad_request("RESULT_TYPE_INVALID")
        content = result.get("input_message_content")
        if not isinstance(content, dict):
            raise bad_request("MESSAGE_EMPTY")
        sb._render(content, "message_text")
        markup = sb._check_markup(result.get("reply_markup"))
        for row in (markup or {}).get("inline_keyboard", ()):
            for button in row:
                if "url" in button and not str(button["url"]).startswith(("https://", "http://", "tg://")):
                    raise bad_request("BUTTON_URL_INVALID")
    query["results"] = results
    sb._emit("inline_answer", query["user_id"], None, count=len(results))
    return True


def _m_answerCallbackQuery(sb: Sandbox, args: dict[str, Any]) -> bool:
    query = sb.callback_queries.get(str(args["callback_query_id"]))
    if query is None or query["answered"] or sb.clock() - query["created"] > CALLBACK_QUERY_TTL:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = args.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query["answered"] = True
    sb._emit("callback_answer", query["user_id"], None, text=text, show_alert=bool(args.get("show_alert")))
    return True


def _scope_key(args: dict[str, Any]) -> tuple[str, str]:
    scope = args.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(args.get("language_code") or "")


def _m_setMyCommands(sb: Sandbox, args: dict[str, Any]) -> bool:
    commands = args["commands"]
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an array of at most 100 commands")
    for command in commands:
        name = str(command.get("command", ""))
        if not (1 <= len(name) <= 32) or not all(c.islower() or c.isdigit() or c == "_" for c in name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not (1 <= len(str(command.get("description", ""))) <= 256):
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    scope = args.get("scope") or {}
    if scope.get("type") == "chat":
        chat_id = int(scope["chat_id"])
        user = sb.users.get(chat_id)
        if chat_id not in sb.groups and (user is None or not user.started):
            raise bad_request("chat not found")
    sb.commands[_scope_key(args)] = commands
    return True


def _m_getMyCommands(sb: Sandbox, args: dict[str, Any]) -> list[dict[str, str]]:
    return sb.commands.get(_scope_key(args), [])


def _m_deleteMyCommands(sb: Sandbox, args: dict[str, Any]) -> bool:
    sb.commands.pop(_scope_key(args), None)
    return True


def _describe(kind: str, limit: int) -> Callable[[Sandbox, dict[str, Any]], bool]:
    def setter(sb: Sandbox, args: dict[str, Any]) -> bool:
        value = str(args.get(kind) or "")
        if len(value) > limit:
            raise bad_request(f"{kind.upper()}_INVALID")
        sb.descriptions[(kind, str(args.get("language_code") or ""))] = value
        return True

    return setter


def _getter(kind: str) -> Callable[[Sandbox, dict[str, Any]], dict[str, str]]:
    def getter(sb: Sandbox, args: dict[str, Any]) -> dict[str, str]:
        return {kind: sb.descriptions.get((kind, str(args.get("language_code") or "")), "")}

    return getter


_m_setMyDescription = _describe("description", 512)
_m_setMyDescription.__name__ = "_m_setMyDescription"
_m_setMyShortDescription = _describe("short_description", 120)
_m_setMyShortDescription.__name__ = "_m_setMyShortDescription"
_m_getMyDescription = _getter("description")
_m_getMyDescription.__name__ = "_m_getMyDescription"
_m_getMyShortDescription = _getter("short_description")
_m_getMyShortDescription.__name__ = "_m_getMyShortDescription"


def _m_getFile(sb: Sandbox, args: dict[str, Any]) -> dict[str, Any]:
    file_id = str(args.get("file_id", ""))
    if file_id not in sb.files:
        raise bad_request("invalid file_id")
    return {"file_id": file_id, "file_unique_id": f"u-{file_id}", "file_size": len(sb.files[file_id]),
            "file_path": f"documents/{file_id}"}


def _m_close(sb: Sandbox, args: dict[str, Any]) -> bool:
    return True


_METHODS: dict[str, Callable[[Sandbox, dict[str, Any]], Any]] = {
    name.removeprefix("_m_").lower(): fn for name, fn in list(globals().items()) if name.startswith("_m_")
}
