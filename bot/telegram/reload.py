"""The content read again without a restart (SIGHUP to `run`): checked first, refused whole.

The new content is loaded and checked as `python -m bot check` checks it, in a worker thread. One error
and nothing changes: the bot goes on with what it had, and the log says what is wrong. Otherwise every
holder of the content is given the new one at once, between two updates' steps (the loop runs one thing
at a time): the handlers' data, the search index and its danger words (which triage hears), the
checklists, the desk, reminders and the digest. Nothing keeps the old content (tests/test_reload.py
looks for any reference left).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content import ContentError, require_content
from bot.services.search import SearchIndex

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


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
