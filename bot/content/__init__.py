"""Content: language-neutral facts and shape (`content/facts.yaml`, `content/guide.yaml`) and texts
per language (`content/<lang>/{pages,topics,groups,contacts,search}.yaml`).

The models and rendering are in `bot.content.model`, loading in `bot.content.loader`, the checks in
`bot.content.checks`; this package re-exports the names the rest of the bot uses.

The bot refuses to start on broken content (`ContentError` names the file, key and problem);
`python -m bot check` lists every problem, warnings included.
"""

from __future__ import annotations

from bot.content.checks import MAX_SCREEN, Problem, language_problems, phone_problems
from bot.content.loader import ContentError, load_content, require_content
from bot.content.model import (
    PLACEHOLDER_RE,
    Content,
    Fact,
    Rendered,
    display,
    format_day,
    source_label,
)

__all__ = [
    "MAX_SCREEN", "PLACEHOLDER_RE", "Content", "ContentError", "Fact", "Problem", "Rendered", "display", "format_day",
    "language_problems", "load_content", "phone_problems", "require_content", "source_label",
]
