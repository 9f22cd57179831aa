"""The terminal of `python -m bot try` (its command and usage: bot/cli/tryout.py): the sandbox, the
pretend consultants and admin, and the loop that shows what the bot sends and sends what you type."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import html
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.config import Settings
from bot.models import LANGUAGES
from bot.sandbox.client import Person
from bot.sandbox.core import Sandbox, SandboxEvent, SandboxMessage
from bot.sandbox.demo import DEMO_GROUP, DEMO_GROUP_TITLE, PRETENDS, build_world, demo_settings
from bot.sandbox.session import SandboxSession
from bot.services.agency import SAMPLES_DIR

if TYPE_CHECKING:
    from bot.app import App

Place = tuple[int, int | None]  # (chat, forum topic or None)
TAP = re.compile(r"#(\d+)\.(\d+)|([1-9]\d?)")  # #message.button, or a button of the newest message
CASE_IN_TOPIC = re.compile(r"№(\d+)")
SHOWN_ON_ENTRY = 6  # the newest messages of a place shown when you come back to it
HELP = """\
Commands of this terminal (everything else goes to the bot):
  3            tap button 3 of the newest message that has buttons
  #12.3        tap button 3 of message #12 (any earlier message)
  \\3           send "3" as text
  /as person   be the person (you start as the person)
  /as aida     be Aida, a pretend consultant in the group "{group}" (/as bek: her colleague)
  /as admin    be a pretend NGO admin (/admin, /stats, /broadcast)
  /topics      as a consultant: the group's topics, one per case
  /go 1        as a consultant: open the topic of case №1 (/go general: the board; /go bot: your chat with the bot)
  /try         this list;  /quit  leave"""


async def chat(config: Settings, *, language: str | None, user_id: int, log_path: Path, out: TextIO = sys.stdout) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bot-try-"))  # a fresh database each time: the sandbox starts empty too
    main = asyncio.current_task()
    if main is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError):  # where signals can be caught
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)  # stop as Ctrl-C does
    try:
        return await _chat(demo_settings(config, language=language, folder=folder), language, user_id, log_path, out)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _chat(config: Settings, language: str | None, user_id: int, log_path: Path, out: TextIO) -> int:
    # the whole bot: loaded only to run it
    from bot import jobs
    from bot.app import build_app, settle

    sandbox = Sandbox()
    build_world(sandbox, language or "ru")
    app = await build_app(config, session=SandboxSession(sandbox))
    try:
        await app.startup()
        await app.recovered()
        jobs.schedule(app)  # reminders, re-alerts and the hotlines after a wait happen as in `run`
        app.scheduler.start()
        loaded = await app.agencies.load_samples(SAMPLES_DIR)  # invented registries, marked TEST DATA
        terminal = Terminal(app, sandbox, await _roles(app, sandbox, language, user_id), out)
        settle()
        terminal.intro(log_path, ", ".join(f"{item.country} {item.rows}" for item in loaded))
        await terminal.loop()
    finally:
        await app.close()
    return 0


async def _roles(app: App, sandbox: Sandbox, language: str | None, user_id: int) -> dict[str, Role]:
    async def deliver(update: dict[str, Any]) -> None:
        from aiogram.types import Update

        await app.dp.feed_update(app.bot, Update.model_validate(update, context={"bot": app.bot}))

    chosen = language if language in LANGUAGES else None
    you = sandbox.add_user(user_id, "You", language or "ru")
    roles = {"person": Role("person", "you", "the person asking for help", Person(sandbox, you, deliver), False, user_id)}
    for pretend in PRETENDS:
        client = Person(sandbox, sandbox.users[pretend.user_id], deliver)
        place = DEMO_GROUP if pretend.consultant else pretend.user_id
        roles[pretend.key] = Role(pretend.key, pretend.first_name.split()[0], pretend.about, client, pretend.consultant, place)
    if chosen:  # --lang: the person has chosen it (no picker), as a leaflet's link in that language chooses it
        await app.users.seen(user_id, language)
        await app.users.choose_language(user_id, chosen)
    return roles


@dataclass
class Role:
    """Who you are in `try`, and where you are: your private chat with the bot, or a place in the group."""

    key: str
    name: str
    about: str
    client: Person
    in_group: bool
    chat: int
    thread: int | None = None
    news: int = 0  # messages in their private chat that came while someone else was at the keyboard
    shown: dict[Place, int] = field(default_factory=dict)  # the newest message of each place already shown

    @property
    def place(self) -> Place:
        return (self.chat, self.thread)


def _read_lines(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    """Standard input, line by line, in a thread of its own that never holds the exit (Ctrl-C, /quit). It reads
    the file descriptor itself: a thread blocked in `input()` holds sys.stdin's lock, which aborts the exit."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending = ""
    while True:
        try:
            chunk = os.read(0, 65536)
        except OSError:
            chunk = b""
        pending += decoder.decode(chunk, final=not chunk)
        *complete, pending = pending.split("\n")
        if not chunk and pending:
            complete, pending = [*complete, pending], ""
        for line in [*complete, *([None] if not chunk else [])]:
            try:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            except RuntimeError:  # the terminal has closed: a line typed after /quit
                return
        if not chunk:
            return


class Terminal:
    def __init__(self, app: App, sandbox: Sandbox, roles: dict[str, Role], out: TextIO) -> None:
        self.app = app
        self.sandbox = sandbox
        self.roles = roles
        self.active = roles["person"]
        self.out = out
        self.events: list[SandboxEvent] = []
        self.group_news = 0  # messages in the group that came while no consultant was at the keyboard
        self.told: dict[str, int] = {}  # the "new for ..." lines said last, not said again until they change
        self.rendered: dict[tuple[int, int], str] = {}  # each message as last shown: an edit to the same is not shown again
        self.busy = False
        tty = out.isatty()
        self.bold, self.dim, self.reset = ("\033[1m", "\033[2m", "\033[0m") if tty else ("", "", "")
        sandbox.listeners.append(self.events.append)

    # ------------------------------------------------------------------ the loop
    def intro(self, log_path: Path, samples: str) -> None:
        self.say(f"No token needed: nothing leaves this computer. Logs: {log_path}")
        if samples:
            self.say(f"Sample agency registries loaded (invented, every result says TEST DATA): {samples}")
        self.say(f"You are the person. /as aida: a pretend consultant in \"{DEMO_GROUP_TITLE}\". /try: all commands.\n")

    async def loop(self) -> None:
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=_read_lines, args=(asyncio.get_running_loop(), lines), daemon=True).start()
        watcher = asyncio.create_task(self._watch())
        try:
            await self.act(self.active.client.send("/start"))
            while True:
                self.out.write(self.prompt())
                self.out.flush()
                line = await lines.get()
                if line is None or line.strip() in ("/quit", "/exit"):
                    break
                if line.strip():
                    self.busy = True
                    try:
                        await self.command(line.strip())
                    finally:
                        self.busy = False
        finally:
            watcher.cancel()

    async def _watch(self) -> None:
        """What the bot does on its own while you think (a reminder, a re-alert) is shown at once."""
        while True:
            await asyncio.sleep(0.5)
            if self.events and not self.busy:
                self.out.write("\n")
                self.flush()
                self.out.write(self.prompt())
                self.out.flush()

    def prompt(self) -> str:
        role = self.active
        if not role.in_group:
            return f"{role.name}> "
        if role.chat != DEMO_GROUP:
            return f"{role.name} · bot> "
        return f"{role.name} · {'General' if role.thread is None else self.short_topic(role.thread)}> "

    async def command(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        handlers: dict[str, Callable[[str], None]] = {"/go": self.go, "/topics": self.topics, "/try": self.help}
        if "\x1b[" in line:
            self.say("(arrow and function keys do nothing here: type the whole line again)")
            return
        if word == "/as":
            await self.switch(rest.strip())
            return
        if word in handlers:
            handlers[word](rest.strip())
            return
        tap = TAP.fullmatch(line)
        if tap:
            await self.tap(int(tap[1]) if tap[1] else None, int(tap[2] or tap[3]))
            return
        await self.act(self.send(html.unescape(line.removeprefix("\\"))))

    async def act(self, action: Any) -> None:
        """Do it, wait until the bot has answered (its posts through the outbox too), show what came."""
        try:
            await action
        except ValueError as error:  # the sandbox refused what you did, as Telegram's app would not let you
            role = self.active
            if role.chat == DEMO_GROUP and role.thread is not None and self.sandbox.topic(DEMO_GROUP, role.thread)["closed"]:
                self.say(f"(topic {self.short_topic(role.thread)} is closed: only the group's administrators can write "
                         "there. /topics lists the others)")
            else:
                self.say(f"(not possible here: {error})")
        await self.settle()
        self.flush()

    async def settle(self, timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        count, quiet_since = len(self.sandbox.events), loop.time()
        while loop.time() < deadline:
            await asyncio.sleep(0.05)
            if len(self.sandbox.events) != count:
                count, quiet_since = len(self.sandbox.events), loop.time()
            elif loop.time() - quiet_since >= 0.25 and not await self._outbox_due():
                return

    async def _outbox_due(self) -> bool:
        due = await self.app.outbox.repo.next_due()
        return due is not None and due <= self.app.outbox.clock()

    # ------------------------------------------------------------------ what you do
    def send(self, text: str) -> Any:
        role = self.active
        if role.chat == DEMO_GROUP:
            return role.client.send_in(DEMO_GROUP, text, thread_id=role.thread)
        return role.client.send(text)

    async def tap(self, message_id: int | None, number: int) -> None:
        """Tap a button, saying which; a number that names no button is not sent anywhere."""
        message = self.message(message_id) if message_id is not None else self.newest_with_buttons()
        buttons = [b for row in message.buttons for b in row] if message else []
        if not 1 <= number <= len(buttons):
            self.say(self.no_button(message_id, message, number, len(buttons)))
            return
        assert message is not None
        button = buttons[number - 1]
        label = button["text"] if isinstance(button, dict) else str(button)
        self.say(f"{self.dim}(tapped [{number}] «{label}» on #{message.message_id}){self.reset}")
        if isinstance(button, dict) and button.get("url"):
            self.open_link(str(button["url"]))
        elif message.inline:
            await self.act(self.active.client.click_data(str(button["callback_data"]), message))
        else:  # a keyboard button sends its label
            await self.act(self.send(label))

    def no_button(self, message_id: int | None, message: SandboxMessage | None, number: int, count: int) -> str:
        if message_id is None:
            where = f"the newest message with buttons (#{message.message_id}) has {count}" if message else "no message here has buttons"
            return f"(no button {number}: {where}. To send {number} as text, type \\{number})"
        if message is not None:
            return f"(message #{message_id} has no button {number}: it has {count})"
        mine = self.sandbox.messages.get((self.active.chat, message_id))
        if mine is not None and not mine.deleted and not mine.from_bot:
            return f"(#{message_id} is a message you wrote: only the bot's messages have buttons)"
        return f"(there is no message #{message_id} here)"

    def message(self, message_id: int) -> SandboxMessage | None:
        message = self.sandbox.messages.get((self.active.chat, message_id))
        return message if message is not None and not message.deleted and message.from_bot else None

    def newest_with_buttons(self) -> SandboxMessage | None:
        for message in reversed(self.in_place(self.active.place)):
            if message.from_bot and message.buttons:
                return message
        return None

    def open_link(self, url: str) -> None:
        topic = re.fullmatch(rf"https://t\.me/c/{str(DEMO_GROUP)[4:]}/(\d+)", url)
        if topic and self.active.in_group:
            self.enter(DEMO_GROUP, int(topic[1]))
        else:
            self.say(f"(a link: {url} — Telegram would open it; this demo does not)")

    # ------------------------------------------------------------------ who you are, where you are
    async def switch(self, who: str) -> None:
        key = {"me": "person", "you": "person", "consultant": "aida"}.get(who.lower(), who.lower())
        role = self.roles.get(key)
        if role is None:
            self.say(f"(who? {', '.join(f'/as {k}' for k in self.roles)})")
            return
        if role.key != "person" and await self.app.users.get(role.client.id) is None:
            # a pretend consultant or admin has opened the private chat once and chosen the team's language
            await self.app.users.seen(role.client.id, role.client.user.language_code)
            await self.app.users.choose_language(role.client.id, self.app.config.default_language)
        self.active, role.news = role, 0
        if role.in_group:
            self.group_news = 0
        self.told = {}
        who_now = "the person asking for help" if role.key == "person" else f"{role.client.user.first_name}: {role.about}"
        self.say(f"{self.bold}══ you are {who_now} ══{self.reset}")
        self.enter(role.chat, role.thread)

    def go(self, where: str) -> None:
        role = self.active
        if not role.in_group:
            self.say("(you are in your chat with the bot, the only place you have; /as aida works in the consultants' group)")
            return
        where = where.lower().lstrip("№#")
        if where in ("general", "board", ""):
            self.enter(DEMO_GROUP, None)
        elif where in ("bot", "private"):
            self.enter(role.client.id, None)
        elif (thread := self.topic_of_case(where)) is not None:
            self.enter(DEMO_GROUP, thread)
        else:
            self.say(f"(no topic for case {where}: /topics lists them)")

    def topics(self, _rest: str) -> None:
        if not self.active.in_group:
            self.say("(only the consultants see the group: /as aida)")
            return
        topics = self.sandbox.topics(DEMO_GROUP)
        lines = [f"  /go {self.case_number(thread) or thread}   {topic['name']}" + ("  (closed)" if topic["closed"] else "")
                 for thread, topic in topics.items()]
        self.say("\n".join([f"Topics of \"{DEMO_GROUP_TITLE}\" (/go general: the board):", *lines]) if lines
                 else "(no topics yet: a case gets one when a person asks for a consultant)")

    def help(self, _rest: str) -> None:
        self.say(HELP.format(group=DEMO_GROUP_TITLE))

    def enter(self, chat: int, thread: int | None) -> None:
        """Open a place and show what is new there (in General, the board first)."""
        role = self.active
        role.chat, role.thread = chat, thread
        place = role.place
        messages = [m for m in self.in_place(place) if m.from_bot or m.sender_id != role.client.id]
        new = [m for m in messages if m.message_id > role.shown.get(place, 0)]
        if chat == DEMO_GROUP and thread is None:
            pinned = self.sandbox.groups[DEMO_GROUP]["pinned"]
            board = self.sandbox.messages.get((DEMO_GROUP, pinned)) if pinned else None
            if board is not None:
                self.print_message(board, label="pinned: the board")
                new = [m for m in new if m is not board]
        if not new and not (chat == DEMO_GROUP and thread is None):
            new = messages[-3:]  # nothing new: the last few, as an opened chat shows them
            if not new:
                self.say("(nothing here yet" + (": type /start)" if chat != DEMO_GROUP else ")"))
        if len(new) > SHOWN_ON_ENTRY:
            self.say(f"({len(new) - SHOWN_ON_ENTRY} earlier messages here are not shown)")
        for message in new[-SHOWN_ON_ENTRY:]:
            self.print_message(message)

    def in_place(self, place: Place) -> list[SandboxMessage]:
        chat, thread = place
        return [m for m in self.sandbox.chat_messages(chat)
                if (chat != DEMO_GROUP or m.thread_id == thread) and not m.kind.startswith("forum_topic_")]

    def topic_of_case(self, number: str) -> int | None:
        for thread in self.sandbox.topics(DEMO_GROUP):
            if self.case_number(thread) == number:
                return thread
        return None

    def case_number(self, thread: int) -> str | None:
        found = CASE_IN_TOPIC.search(self.sandbox.topic(DEMO_GROUP, thread)["name"])
        return found[1] if found else None

    def short_topic(self, thread: int) -> str:
        number = self.case_number(thread)
        return f"№{number}" if number else f"topic {thread}"

    # ------------------------------------------------------------------ what you see
    def flush(self) -> None:
        """Show what the bot did since the last look: in full where you are, one line for elsewhere."""
        events, self.events[:] = list(self.events), []
        hints: dict[str, None] = {}
        for event in events:
            self.show(event, hints)
        counts = {f"{r.news} new for {'the person' if r.key == 'person' else r.name}: /as {r.key}": r.news
                  for r in self.roles.values() if r is not self.active and r.news}
        if self.group_news and not self.active.in_group:
            counts[f"{self.group_news} new in the consultants' group: /as aida"] = self.group_news
        for line in counts:
            if line not in self.told:  # said once, until the count changes
                hints[line] = None
        self.told = counts
        for hint in hints:
            self.say(f"{self.dim}({hint}){self.reset}")

    def show(self, event: SandboxEvent, hints: dict[str, None]) -> None:
        role = self.active
        if event.kind == "callback_answer":
            if event.chat_id == role.client.id and event.payload.get("text"):
                kind = "alert" if event.payload.get("show_alert") else "notice"
                self.say(f"{self.dim}({kind}){self.reset} {event.payload['text']}\n")
            return
        if event.kind == "message":
            self.count_news(event.chat_id)
        if not self.sees(role, event.chat_id):
            return
        if event.kind == "topic":
            self.topic_changed(event, hints)
            return
        message = event.message
        if message is None:
            return
        place: Place = (message.chat_id, message.thread_id if message.chat_id == DEMO_GROUP else None)
        if place != role.place:
            if event.kind == "message":
                where = "General" if place[1] is None else f"topic {self.short_topic(place[1])}"
                hints[f"new in {where}: /go {'general' if place[1] is None else self.case_number(place[1]) or place[1]}"
                      if place[0] == DEMO_GROUP else "new in your chat with the bot: /go bot"] = None
            return
        self.show_here(event, message)

    def show_here(self, event: SandboxEvent, message: SandboxMessage) -> None:
        if event.kind in ("message", "edit"):
            if event.kind == "edit" and self.rendered.get((message.chat_id, message.message_id)) == self.render(message):
                return  # edited to what is shown already (a progress line that did not move)
            self.print_message(message, label="edited" if event.kind == "edit" else "")
        elif event.kind == "delete":
            self.say(f"{self.dim}(the bot deleted #{message.message_id}){self.reset}")
        elif event.kind == "reaction":
            emoji = " ".join(event.payload.get("emoji") or ()) or "no reaction"
            whose = "your message" if message.sender_id == self.active.client.id else "message"
            self.say(f"{self.dim}(the bot put {emoji} on {whose} #{message.message_id}){self.reset}")
        elif event.kind == "pin":
            self.say(f"{self.dim}(the bot pinned #{message.message_id}){self.reset}")

    def topic_changed(self, event: SandboxEvent, hints: dict[str, None]) -> None:
        action, thread = event.payload.get("action"), event.payload.get("thread_id")
        if action == "deleted":
            hints[f"topic {thread} deleted"] = None
            if self.active.place == (DEMO_GROUP, thread):
                self.enter(DEMO_GROUP, None)
            return
        topic = self.sandbox.topics(DEMO_GROUP, include_deleted=True)[int(thread or 0)]
        number = self.case_number(int(thread or 0)) or thread
        hints[f"topic {action}: {topic['name']} — /go {number}"] = None

    def count_news(self, chat_id: int) -> None:
        if chat_id == DEMO_GROUP:
            self.group_news += 0 if self.active.in_group else 1
            return
        for role in self.roles.values():
            if role is not self.active and chat_id == role.client.id:
                role.news += 1

    def sees(self, role: Role, chat_id: int) -> bool:
        return chat_id == role.client.id or (role.in_group and chat_id == DEMO_GROUP)

    def print_message(self, message: SandboxMessage, label: str = "") -> None:
        sender = "bot" if message.from_bot else self.sandbox.users[message.sender_id].first_name
        tags = " · ".join(filter(None, [sender, f"#{message.message_id}", label]))
        body = self.render(message)
        self.rendered[(message.chat_id, message.message_id)] = body
        self.say(f"{self.bold}── {tags} ──{self.reset}\n{body}\n")
        place: Place = (message.chat_id, message.thread_id if message.chat_id == DEMO_GROUP else None)
        shown = self.active.shown
        shown[place] = max(shown.get(place, 0), message.message_id)

    @staticmethod
    def render(message: SandboxMessage) -> str:
        """The text as a person sees it, then the buttons, numbered from 1 (links marked ↗)."""
        body = html.unescape(message.text or "")
        if message.kind != "text":
            body = f"[{message.kind}]" + (f" {body}" if body else "")
        lines = [body]
        number = 1
        for row in message.buttons:
            labels = []
            for button in row:
                text = button["text"] if isinstance(button, dict) else str(button)
                link = " ↗" if isinstance(button, dict) and button.get("url") else ""
                labels.append(f"[{number}] {text}{link}")
                number += 1
            lines.append("  ".join(labels))
        return "\n".join(lines)

    def say(self, text: str) -> None:
        print(text, file=self.out)
