"""Drawing the figures' chart and the PDF report off the event loop: the texts are made in the caller's
locale (they need its gettext context), the drawing itself (bot.screens.chart.render_png,
bot.screens.report.render_pdf) runs in a worker thread, one at a time, so the bot keeps answering
while matplotlib works."""

from __future__ import annotations

import asyncio
import threading
from datetime import date

from bot.content import Content
from bot.screens import chart as screens
from bot.screens import report as reports
from bot.services.stats import Report

_draw = threading.Lock()  # one chart at a time: matplotlib's font cache is shared


async def chart(report: Report, today: date, organisation: str = "") -> bytes:
    """The chart as a PNG; `today` (UTC) marks a day or week not over yet."""
    spec = screens.chart_spec(report, today, organisation)
    return await asyncio.to_thread(_render, spec)


def _render(spec: screens.ChartSpec) -> bytes:
    with _draw:
        return screens.render_png(spec)


async def report_pdf(report: Report, content: Content, locale: str, today: date, organisation: str = "") -> bytes:
    """The report for the period as a PDF, in the current locale."""
    spec = reports.report_spec(report, content, locale, today, organisation)
    return await asyncio.to_thread(_render_pdf, spec)


def _render_pdf(spec: reports.ReportSpec) -> bytes:
    with _draw:
        return reports.render_pdf(spec)
