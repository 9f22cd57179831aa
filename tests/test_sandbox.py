"""The sandbox answers like Telegram, errors included, through both of its faces."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import SANDBOX_TOKEN
from bot.middlewares.retry import RetryAfter
from bot.sandbox.core import FakeClock, Limits, Sandbox
from bot.sandbox.server import SandboxServer
from bot.sandbox.session import SandboxSession
from tests.conftest import until


def make(limits: Limits | None = None, users: int = 3) -> tuple[Sandbox, Bot, FakeClock]:
    clock = FakeClock()
    sandbox = Sandbox(limits=limits or Limits.off(), clock=clock)
    for uid in range(1, users + 1):
        sandbox.add_user(uid, f"U{uid}").started = True
    return sandbox, Bot(SANDBOX_TOKEN, session=SandboxSession(sandbox)), clock


async def test_send_returns_a_real_message_and_renders_html() -> None:
    sandbox, bot, _ = make()
    message = await bot.send_message(1, "<b>Hi</b> &amp; bye", parse_mode="HTML")
    assert message.message_id == 1 and message.chat.id == 1 and message.from_user.is_bot
    assert sandbox.messages[(1, 1)].text == "Hi & bye"


async def test_text_over_4096_characters() -> None:
    _, bot, _ = make()
    await bot.send_message(1, "я" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(1, "я" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):  # counted after entities
        await bot.send_message(1, "<b>" + "я" * 4097 + "</b>", parse_mode="HTML")
    await bot.send_message(1, "<b>" + "я" * 4000 + "</b>", parse_mode="HTML")


async def test_bad_html_and_empty_text() -> None:
    _, bot, _ = make()
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1, "<script>x</script>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(1, "<b>open", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(1, "<b></b>", parse_mode="HTML")


async def test_callback_data_over_64_bytes() -> None:
    _, bot, _ = make()
    ok = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="ы" * 32)]])
    await bot.send_message(1, "fits", reply_markup=ok)
    too_long = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="ы" * 33)]])
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(1, "too long", reply_markup=too_long)


async def test_message_is_not_modified_and_edits() -> None:
    sandbox, bot, _ = make()
    message = await bot.send_message(1, "one")
    await bot.edit_message_text("two", chat_id=1, message_id=message.message_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("two", chat_id=1, message_id=message.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=1, message_id=999)
    assert sandbox.messages[(1, 1)].edits == 1


async def test_delete_within_48_hours_only() -> None:
    sandbox, bot, _ = make()
    first = await bot.send_message(1, "old")
    second = await bot.send_message(1, "new")
    sandbox.messages[(1, first.message_id)].date -= 48 * 3600 + 1
    with pytest.raises(TelegramBadRequest, match="can't be deleted"):
        await bot.delete_message(1, first.message_id)
    assert await bot.delete_message(1, second.message_id)
    assert sandbox.messages[(1, second.message_id)].deleted
    with pytest.raises(TelegramBadRequest, match="not found"):
        await bot.delete_message(1, second.message_id)


async def test_blocked_unknown_and_never_started_users() -> None:
    sandbox, bot, _ = make()
    sandbox.user_sets_blocked(2, True)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(2, "hi")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hi")
    sandbox.add_user(9, "New")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await bot.send_message(9, "hi")


async def test_callback_query_answered_once() -> None:
    sandbox, bot, _ = make()
    message = await bot.send_message(1, "pick")
    update = sandbox.user_click(1, sandbox.messages[(1, message.message_id)], "x")
    query_id = update["callback_query"]["id"]
    assert update["callback_query"]["chat_instance"]
    assert await bot.answer_callback_query(query_id, text="ok")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)


async def test_flood_limit_per_private_chat_strict() -> None:
    sandbox, bot, clock = make(Limits.strict())
    await bot.send_message(1, "a")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(1, "b")
    assert caught.value.retry_after == 1
    await bot.send_message(2, "another chat is fine")
    clock.advance(1.0)
    await bot.send_message(1, "b")
    assert sandbox.rate_limited == 1


async def test_flood_limit_20_per_minute_into_a_group() -> None:
    sandbox, bot, clock = make(Limits(group_burst=20))
    sandbox.add_group(-1001, "Consultants")
    for i in range(20):
        await bot.send_message(-1001, f"alert {i}")
        clock.advance(0.1)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(-1001, "one too many")
    assert 1 <= caught.value.retry_after <= 3
    clock.advance(3.0)
    await bot.send_message(-1001, "after waiting")


async def test_flood_limit_30_per_second_overall() -> None:
    _sandbox, bot, clock = make(Limits(), users=40)
    for uid in range(1, 31):
        await bot.send_message(uid, "broadcast")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(31, "broadcast")
    clock.advance(1.0)
    await bot.send_message(31, "broadcast")


async def test_retry_middleware_waits_retry_after() -> None:
    sandbox, bot, clock = make(Limits.strict())
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)
        clock.advance(seconds)

    bot.session.middleware(RetryAfter(sleep=sleep))
    await bot.send_message(1, "a")
    await bot.send_message(1, "b")  # 429 inside, then sent after waiting
    assert waited == [1]
    assert [m.text for m in sandbox.bot_messages(1)] == ["a", "b"]


async def test_unauthorized_and_unknown_method() -> None:
    sandbox, _, _ = make()
    wrong = Bot("1:wrong-token-wrong-token-wrong", session=SandboxSession(sandbox))
    with pytest.raises(TelegramUnauthorizedError):
        await wrong.get_me()

    class Nope(TelegramMethod[bool]):
        __returning__ = bool
        __api_method__ = "noSuchMethod"

    _, bot, _ = make()
    with pytest.raises(TelegramNotFound):
        await bot(Nope())


async def test_http_face_long_polling_and_offsets() -> None:
    sandbox = Sandbox(limits=Limits.off())
    sandbox.add_user(1, "U1")
    server = SandboxServer(sandbox)
    url = await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            base = f"{url}/bot{SANDBOX_TOKEN}"
            # a held request returns as soon as an update arrives
            polls = sandbox._poll_generation
            poll = asyncio.create_task(http.post(f"{base}/getUpdates", data={"timeout": "5"}))
            await until(lambda: sandbox._poll_generation > polls, "reach the sandbox")
            assert not poll.done()  # it is there, held
            sandbox.enqueue(sandbox.user_message(1, "/start"))
            response = await asyncio.wait_for(poll, 3)
            body = await response.json()
            assert body["ok"] and body["result"][0]["message"]["text"] == "/start"
            first_id = body["result"][0]["update_id"]
            # not confirmed yet: delivered again
            again = await (await http.post(f"{base}/getUpdates", data={"timeout": "0"})).json()
            assert [u["update_id"] for u in again["result"]] == [first_id]
            # confirmed by offset: gone
            after = await (await http.post(f"{base}/getUpdates", data={"offset": str(first_id + 1), "timeout": "0"})).json()
            assert after["result"] == []
            # JSON bodies, Telegram's error shape, and a text that looks like a number stays text
            sent = await (await http.post(f"{base}/sendMessage", json={"chat_id": 1, "text": "123"})).json()
            assert sent["result"]["text"] == "123"
            err = await http.post(f"{base}/sendMessage", data={"chat_id": "1", "text": "x" * 5000})
            assert err.status == 400
            assert json.loads(await err.text()) == {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
            unauthorized = await http.post(f"{url}/bot123:nope/getMe")
            assert unauthorized.status == 401
    finally:
        await server.stop()


async def test_copy_message_keeps_the_content_and_hides_the_sender() -> None:
    sandbox, bot, _clock = make()
    sandbox.add_user(1, "A").started = True
    sandbox.add_user(2, "B").started = True
    sandbox.user_message(1, "подпись", kind="photo")
    copied = await bot.copy_message(2, 1, 1, caption="<b>№5</b>: подпись", parse_mode="HTML")
    message = sandbox.messages[(2, copied.message_id)]
    assert message.kind == "photo" and message.from_bot and message.text == "№5: подпись"
    sandbox.user_message(1, None, kind="location")
    with pytest.raises(TelegramBadRequest, match="caption"):
        await bot.copy_message(2, 1, 2, caption="x")
    with pytest.raises(TelegramBadRequest, match="not found"):
        await bot.copy_message(2, 1, 99)


async def test_chat_member_and_a_bot_removed_from_its_group() -> None:
    sandbox, bot, _clock = make()
    sandbox.add_user(1, "A")
    sandbox.add_user(2, "B")
    sandbox.add_group(-100, "Team", members=[1])
    assert (await bot.get_chat_member(-100, 1)).status == "member"
    assert (await bot.get_chat_member(-100, 2)).status == "left"
    await bot.send_message(-100, "hello")
    sandbox.remove_bot_from_group(-100)
    with pytest.raises(TelegramForbiddenError, match="kicked"):
        await bot.send_message(-100, "hello")
    with pytest.raises(TelegramForbiddenError):
        await bot.get_chat_member(-100, 1)


def _png(width: int, height: int) -> bytes:
    import struct
    import zlib

    raw = b"".join(b"\x00" + b"\xff" * width for _ in range(height))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


async def test_uploaded_photos_are_checked_and_kept_through_both_faces() -> None:
    sandbox, bot, _clock = make()
    sent = await bot.send_photo(1, BufferedInputFile(_png(40, 30), "chart.png"), caption="<b>Chart</b>", parse_mode="HTML")
    message = sandbox.messages[(1, sent.message_id)]
    assert message.kind == "photo" and message.text == "Chart"
    assert sandbox.files[message.extra["file_id"]] == _png(40, 30) and (message.extra["width"], message.extra["height"]) == (40, 30)
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(1, BufferedInputFile(b"not an image", "x.png"))
    with pytest.raises(TelegramBadRequest, match="PHOTO_INVALID_DIMENSIONS"):
        await bot.send_photo(1, BufferedInputFile(_png(1, 30), "thin.png"))  # a ratio over 20
    document = await bot.send_document(1, BufferedInputFile(b"a,b\n1,2\n", "figures.csv"))
    kept = sandbox.messages[(1, document.message_id)]
    assert sandbox.files[kept.extra["file_id"]] == b"a,b\n1,2\n" and kept.extra["file_name"] == "figures.csv"

    server = SandboxServer(sandbox)
    url = await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            form = aiohttp.FormData()
            form.add_field("chat_id", "1")
            form.add_field("photo", "attach://up")
            form.add_field("up", _png(20, 20), filename="c.png")
            body = await (await http.post(f"{url}/bot{SANDBOX_TOKEN}/sendPhoto", data=form)).json()
            assert body["ok"], body
            over_http = sandbox.messages[(1, body["result"]["message_id"])]
            assert sandbox.files[over_http.extra["file_id"]] == _png(20, 20)
    finally:
        await server.stop()


# ---------------------------------------------------------------------- forum topics
async def test_forum_topics_as_telegram_answers_them() -> None:
    sandbox, bot, _ = make()
    sandbox.add_group(-100500, "Plain")
    sandbox.add_group(-100600, "Forum", members=[1], forum=True)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(-100500, "x")
    assert (await bot.get_chat(-100600)).is_forum and not (await bot.get_chat(-100500)).is_forum
    member = await bot.get_chat_member(-100600, bot.id)
    assert member.status == "administrator" and member.can_manage_topics  # type: ignore[union-attr]
    topic = await bot.create_forum_topic(-100600, "🟠 №1 · RU · ky")
    thread = topic.message_thread_id
    sent = await bot.send_message(-100600, "in the topic", message_thread_id=thread)
    assert sent.message_thread_id == thread and sent.is_topic_message
    general = await bot.send_message(-100600, "in General")
    assert general.message_thread_id is None
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(-100600, thread, name="🟠 №1 · RU · ky")
    await bot.edit_forum_topic(-100600, thread, name="🟠 №1 · RU · ky · Aida")
    await bot.close_forum_topic(-100600, thread)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(-100600, thread)
    with pytest.raises(ValueError, match="closed"):  # a member cannot write in a closed topic
        sandbox.user_message(1, "hi", chat_id=-100600, thread_id=thread)
    await bot.send_message(-100600, "an admin still can", message_thread_id=thread)
    await bot.reopen_forum_topic(-100600, thread)
    update = sandbox.user_message(1, "hi", chat_id=-100600, thread_id=thread)["message"]
    assert update["message_thread_id"] == thread and update["is_topic_message"]
    assert update["reply_to_message"]["forum_topic_created"]["name"] == "🟠 №1 · RU · ky"  # as Telegram sends it
    await bot.delete_forum_topic(-100600, thread)
    assert all(m.deleted for m in sandbox.thread_messages(-100600, thread, include_deleted=True))
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(-100600, "too late", message_thread_id=thread)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.edit_forum_topic(-100600, thread, name="again")
    await bot.pin_chat_message(-100600, general.message_id, disable_notification=True)
    assert (await bot.get_chat(-100600)).pinned_message.message_id == general.message_id  # type: ignore[union-attr]


async def test_a_forum_bot_without_rights() -> None:
    sandbox, bot, _ = make()
    sandbox.add_group(-100700, "Forum", forum=True, bot_rights=())
    assert (await bot.get_chat_member(-100700, bot.id)).status == "administrator"
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(-100700, "x")
    with pytest.raises(TelegramBadRequest, match="not enough rights to manage pinned messages"):
        await bot.pin_chat_message(-100700, (await bot.send_message(-100700, "board")).message_id)
    sandbox.groups[-100700]["bot_rights"] = {"can_manage_topics"}
    thread = (await bot.create_forum_topic(-100700, "x")).message_thread_id
    with pytest.raises(TelegramBadRequest, match="CHAT_ADMIN_REQUIRED"):  # deleting a topic needs "delete messages"
        await bot.delete_forum_topic(-100700, thread)


async def test_a_webhook_is_checked_as_telegram_checks_it_and_stops_get_updates() -> None:
    from aiogram.exceptions import TelegramConflictError

    from bot.sandbox.webhook import stop_pushing

    sandbox, bot, _ = make()
    with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
        await bot.set_webhook("http://bot.example.org/hook")
    with pytest.raises(TelegramBadRequest, match="ports 80, 88, 443 or 8443"):
        await bot.set_webhook("https://bot.example.org:8000/hook")
    with pytest.raises(TelegramBadRequest, match="unallowed characters"):
        await bot.set_webhook("https://bot.example.org/hook", secret_token="no spaces please")
    assert await bot.set_webhook("https://bot.example.org/hook", secret_token="s3cret_-", max_connections=5)
    try:
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates(timeout=0)
        sandbox.enqueue(sandbox.user_message(1, "hi"))
        await until(lambda: sandbox.webhook_error is not None, "try to post it")  # no route to bot.example.org here: it fails and the update stays
        info = await bot.get_webhook_info()
        assert info.url == "https://bot.example.org/hook" and info.pending_update_count == 1 and info.max_connections == 5
        assert info.last_error_message and "resolve host" in info.last_error_message
        assert await bot.delete_webhook()
        assert [u.update_id for u in await bot.get_updates(timeout=0)] == [1]  # polling works again, nothing was lost
    finally:
        await stop_pushing(sandbox)
