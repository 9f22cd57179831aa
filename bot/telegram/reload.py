"""The content read again without a restart (an admin's /reload, or SIGHUP to `run`): checked first,
refused whole.

The new content is loaded and checked as `python -m bot check` checks it, in a worker thread. One error
and nothing changes: the bot goes on with what it had, and the log says what is wrong. Otherwise every
holder of the content is given the new one at once, between two updates' steps (the loop runs one thing
at a time): the handlers' data, the search index and its danger words (which triage hears), the
checklists, the desk, reminders and the digest. Nothing keeps the old content (tests/test_reload.py
looks for any reference left).

An admin's /reload reaches one instance; when several share the database, it leaves a signal there and
each of the others reads the content again at its next heartbeat (`Reloader.follow`). SIGHUP is one
process's own (a sysadmin sends it to each).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content import ContentError, require_content
from bot.services.search import SearchIndex
from bot.storage.instances import InstanceRepository

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
SIGNAL = "reload"  # the signal's name among the instances


@dataclass(frozen=True)
class Reloaded:
    changed: bool
    problems: str = ""  # when refused: one line per error

    @property
    def refused(self) -> bool:
        return bool(self.problems)


async def reload_content(app: App, content_dir: Path | None = None) -> Reloaded:
    """Read the content again; swap it in if it passes the checks. Never raises for broken content."""
    folder = content_dir or app.config.content_dir
    try:
        content = await asyncio.to_thread(require_content, folder)
    except ContentError as error:
        problems = str(error)  # the text, not the exception: a log record holding it would hold its frames
        log.error("content not reloaded: it has errors (the bot goes on with what it had):\n%s", problems)
        return Reloaded(changed=False, problems=problems)
    if content is app.content:
        log.info("content reloaded: nothing changed")
        return Reloaded(changed=False)
    search = SearchIndex.of(content)
    app.content = content
    app.dp["content"] = content
    app.dp["search"] = search
    app.cases.alarming, app.cases.emergency = search.is_danger, search.is_emergency
    app.checklists.content = content
    app.desk.content = content
    app.reminders.content = content
    app.digest.content = content
    log.info("content reloaded from %s", folder)
    return Reloaded(changed=True)


class Reloader:
    """One reload at a time in this process (a second ask while one runs is told so); an admin's reload
    signalled to the other instances, and theirs followed here."""

    def __init__(self, app: App, repo: InstanceRepository) -> None:
        self.app = app
        self.repo = repo
        self.lock = asyncio.Lock()
        self.seen: str | None = None  # the last signal acted on (or found at start): its time

    @property
    def busy(self) -> bool:
        return self.lock.locked()

    async def reload(self, *, signal: bool = False) -> Reloaded:
        """Read the content again here; with `signal` (an admin's /reload, several instances), the others
        follow once this one has taken it."""
        async with self.lock:
            done = await reload_content(self.app)
        if signal and not done.refused and self.app.config.shared:
            now = self.app.instance.clock()
            await self.repo.signal(SIGNAL, self.app.instance.holder, now)
            self.seen = now.isoformat()
        return done

    async def follow(self) -> Reloaded | None:
        """At each heartbeat (several instances): another instance's /reload, done here too. The signal
        found at start is only noted: this process read the content when it started."""
        found = await self.repo.signalled(SIGNAL)
        if found is None:
            self.seen = self.seen or ""
            return None
        sender, at = found
        if self.seen is None or at <= self.seen:
            self.seen = max(self.seen or "", at)
            return None
        self.seen = at
        if sender == self.app.instance.holder:
            return None
        log.info("content reloaded: asked by instance %s", sender.split("/")[0])
        async with self.lock:
            return await reload_content(self.app)
