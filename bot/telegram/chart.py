"""Drawing the figures' chart off the event loop: the texts are made in the caller's locale (they need
its gettext context), the drawing itself (bot.screens.stats.render_png) runs in a worker thread, one
chart at a time, so the bot keeps answering while matplotlib works."""

from __future__ import annotations

import asyncio
import threading

from bot.screens import stats as screens
from bot.services.stats import Report

_draw = threading.Lock()  # one chart at a time: matplotlib's font cache is shared


async def chart(report: Report) -> bytes:
    """The chart as a PNG."""
    spec = screens.chart_spec(report)
    return await asyncio.to_thread(_render, spec)


def _render(spec: screens.ChartSpec) -> bytes:
    with _draw:
        return screens.render_png(spec)
