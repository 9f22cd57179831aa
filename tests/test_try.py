"""`python -m bot try` as a newcomer uses it: the README's five-minute tour typed into the command itself (a
subprocess, its standard input and output), in all four languages. The person asks for help, a pretend
consultant takes the case in the demo forum group and answers, and the person gets it; no log line ever
reaches the chat."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import LANGS, ROOT

PROMPT = re.compile(r"(?:^|\n)[^\n]*> $")
LOG_LINE = re.compile(r"\b(?:DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+:|Update id=\d+|Traceback")
SETTINGS_VARIABLES = ("BOT_TOKEN", "DATABASE_PATH", "CONSULTANT_CHAT_ID", "TEAMS_FILE", "ADMIN_IDS", "DEFAULT_LANGUAGE")


def tour() -> list[str]:
    """What the README's tour says to type, line by line (every `...` of the first column, in order)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- try-tour:start -->", 1)[1].split("<!-- try-tour:end -->", 1)[0]
    lines = []
    for row in block.splitlines():
        cells = row.split("|")
        if len(cells) > 2 and "`" in cells[1]:
            lines.extend(re.findall(r"`([^`]+)`", cells[1]))
    return lines


def plain(text: str) -> str:
    """As the terminal shows it: no HTML tags."""
    return re.sub(r"</?[a-z]+>", "", text)


def translated(msgid: str, lang: str) -> str:
    """A UI string as the catalog has it (the test reads the catalog, not the bot)."""
    with (ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    message = catalog.get(msgid)
    assert message is not None and message.string, f"{msgid!r} is not translated in {lang}"
    return str(message.string)


class Terminal:
    """`python -m bot try` in a subprocess: type a line, read what it printed until its next prompt."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.transcript: list[tuple[str, str]] = []  # (what was typed, what came back)

    async def read(self, timeout: float = 60.0) -> str:
        assert self.process.stdout is not None
        buffer = b""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not PROMPT.search(buffer.decode("utf-8", errors="replace")):
            left = deadline - loop.time()
            if left <= 0:
                raise AssertionError(f"no prompt within {timeout}s; the terminal shows:\n{buffer.decode(errors='replace')[-3000:]}")
            chunk = await asyncio.wait_for(self.process.stdout.read(65536), timeout=left)
            if not chunk:
                raise AssertionError(f"`try` ended; it printed:\n{buffer.decode(errors='replace')[-3000:]}")
            buffer += chunk
        return buffer.decode("utf-8")

    async def type(self, line: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode("utf-8") + b"\n")
        await self.process.stdin.drain()
        out = await self.read()
        self.transcript.append((line, out))
        return out

    def everything(self) -> str:
        return "".join(out for _line, out in self.transcript)


@pytest.fixture
async def start_try(tmp_path: Path) -> AsyncIterator[object]:
    processes: list[asyncio.subprocess.Process] = []
    env = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARIABLES}

    async def start(*args: str) -> tuple[Terminal, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "try", *args, cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        processes.append(process)
        terminal = Terminal(process)
        first = await terminal.read()
        terminal.transcript.append(("", first))
        return terminal, first

    yield start
    for process in processes:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def quit_(terminal: Terminal) -> None:
    process = terminal.process
    assert process.stdin is not None
    process.stdin.write(b"/quit\n")
    await process.stdin.drain()
    assert await asyncio.wait_for(process.wait(), timeout=60) == 0
    assert process.stderr is not None
    errors = (await process.stderr.read()).decode("utf-8", errors="replace")
    assert errors == "", errors  # nothing, not even a warning, outside the chat


def after(terminal: Terminal, typed: str, nth: int = 1) -> str:
    """What came back for the nth time `typed` was typed."""
    outs = [out for line, out in terminal.transcript if line == typed]
    assert len(outs) >= nth, f"{typed!r} was typed {len(outs)} times"
    return outs[nth - 1]


@pytest.mark.slow(13)
@pytest.mark.parametrize("lang", LANGS)
async def test_the_readme_tour_shows_a_case_taken_and_answered(start_try, lang: str, tmp_path: Path) -> None:
    terminal, first = await start_try("--lang", lang)
    assert translated("Choose your language", lang) not in first  # --lang chose it: no picker
    assert plain(translated("<b>Main menu</b>\nChoose a section:", lang)) in first  # the welcome, in that language
    log = re.search(r"Logs: (\S+)", first)
    assert log is not None, first
    steps = tour()
    assert "/as aida" in steps and "/go 1" in steps and "/close" in steps
    for line in steps:
        await terminal.type(line)

    # the checklist with dates: a deadline counted from the arrival date typed
    assert "25.12" in after(terminal, "25.11.2026")
    # the agency check on the sample registry: found, revoked, marked as test data
    checked = after(terminal, "Tulpar travel")
    assert "ЖК-0051" in checked and plain(translated("🧪 <b>TEST DATA.</b> This is a sample list for trying the bot out, not the official registry.", lang)) in checked
    # the case: sent by the person, taken and answered by the consultant, the answer back in the topic
    said_by_aida = steps[steps.index("/go 1") + 1]
    answer = steps[steps.index("/as person") + 1]
    assert "№1" in after(terminal, "/as aida")
    topic = after(terminal, "/go 1")
    assert "Кожоюн паспортумду алып койду" in topic  # the person's own words, in the topic of the one who took it
    person = after(terminal, "/as person")
    assert said_by_aida in person and "NGO (demo)" in person
    assert answer in after(terminal, "/as aida", 2)
    assert "№1" in after(terminal, "/close")
    closed = await terminal.type("/as person")  # what the person was told when the case was closed
    ended = ("The consultant has closed your request No. {number}. If you need help again, "
             "open the menu and choose \"Talk to a consultant\".")
    assert translated(ended, lang).format(number=1) in closed, closed

    await quit_(terminal)
    everything = terminal.everything()
    assert not LOG_LINE.search(everything), LOG_LINE.search(everything)
    assert "is handled" in (tmp_path / log[1]).read_text(encoding="utf-8")  # the logs went to the file instead


@pytest.mark.slow(6)
async def test_buttons_of_earlier_messages_and_the_terminals_own_answers(start_try) -> None:
    terminal, _first = await start_try("--lang", "uz")
    menu = after(terminal, "")
    assert "#2" in menu  # every message shows its number
    await terminal.type("/agency")
    found = await terminal.type("Tulpar travel")
    number = re.search(r"── bot · #(\d+) ──", found)
    assert number is not None, found
    older = int(number[1])
    await terminal.type("/check")  # a newer screen; the agency result keeps its buttons
    again = await terminal.type(f"#{older}.4")  # "🔎 Check another agency" on the earlier message
    assert "Tulpar" not in again and "ruxsatnoma" in again.lower(), again
    assert "has no button 9" in await terminal.type(f"#{older}.9")
    assert "no message #999" in await terminal.type("#999.1")
    assert "who?" in await terminal.type("/as nobody")
    assert "the only place you have" in await terminal.type("/go 1")
    assert "/as aida" in await terminal.type("/try")
    # a bare number that names no button goes nowhere, and says how to send it as text
    assert "no button 42" in await terminal.type("42")
    assert "(tapped [1]" in await terminal.type("1")  # every tap says what it tapped
    assert "arrow" in await terminal.type("\x1b[A")
    await terminal.type("/as aida")
    assert "no button 7" in await terminal.type("7")
    assert "── Aida (demo)" not in await terminal.type("/as bek")  # her colleague sees nothing posted in General
    await quit_(terminal)


@pytest.mark.slow(4)
async def test_without_lang_the_picker_comes_first(start_try) -> None:
    terminal, first = await start_try()
    assert "Tilni tanlang" in first and "Кыргызча" in first
    await quit_(terminal)
