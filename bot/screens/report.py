"""The report for a period (a month, for donors) as one PDF, in the caller's locale or in English: the
headline figures, the people active by language and countries, each leaflet's reach, the chart, and
the cases (by kind, by outcome, time to take). Counts only: nothing in it names or identifies a person.
Drawn by matplotlib (its PDF backend; DejaVu Sans, which has the Cyrillic, Kyrgyz, Tajik and Uzbek
letters) in a worker thread (bot.telegram.chart)."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram.utils.i18n import gettext as _

from bot.content import Content
from bot.screens import chart, exports
from bot.screens.stats import rows, shown_value
from bot.services.stats import Report

A4 = (8.27, 11.69)  # inches
TOP, BOTTOM, LINE = 0.93, 0.07, 0.021  # a page's text area and one line, as fractions of its height
MAX_ITEMS = 12  # of one breakdown: the largest, then "others"
NOTE_WIDTH = 100  # characters of a note's line at 8 points across the text area


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[tuple[str, str]]  # label, value
    note: str = ""


@dataclass(frozen=True)
class ReportSpec:
    title: str
    subtitle: str
    footer: str
    sections: list[Section]
    chart: chart.ChartSpec
    pdf_title: str


def _items(items: list[tuple[str, int]]) -> list[tuple[str, str]]:
    shown = [(name, shown_value(n)) for name, n in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        shown.append((_("others"), shown_value(sum(n for _name, n in items[MAX_ITEMS:]))))
    return shown or [(_("none in the period"), "")]


def report_spec(report: Report, content: Content, locale: str, today: date, organisation: str = "") -> ReportSpec:
    """Every text of the report, in the current locale."""
    period = report.period
    named = exports.breakdowns(report, content, locale)

    def section(key: str, heading: str | None = None, note: str = "") -> Section:
        name, items = named[key]
        return Section(heading or name, _items(items), note)

    minutes = report.values.get(("cases", "median_minutes_to_take"))
    heading = _("Report for {period}").format(period=period.shown())
    return ReportSpec(
        title=organisation or heading,
        subtitle=heading if organisation else _("{days} days, UTC").format(days=period.days),
        footer=_("Counts only: no names, no Telegram accounts, nothing people wrote. Made on {day}.").format(day=today.isoformat()),
        sections=[
            Section(_("Headline figures"), [(label, shown_value(value)) for label, value in rows(report)]),
            section("language"), section("citizenship"), section("destination"),
            section("leaflet", note=_("A leaflet is named by its link (its QR code): language, then what it opens; "
                                      "“?” is a link the bot does not know.")),
            section("opened", _("Cases opened, by kind")), section("closed", _("Cases closed, by outcome")),
            Section(_("Time to take a case"), [
                (_("taken in the period"), shown_value(report.get("cases", "taken"))),
                (_("median minutes to take"), shown_value(minutes)),
            ]),
            section("screening"), section("agency_check"), section("guide"), section("country"),
        ],
        chart=chart.chart_spec(report, today, organisation),
        pdf_title=f"{organisation} · {heading}" if organisation else heading,
    )


def render_pdf(spec: ReportSpec) -> bytes:
    """Text pages (a new one when a section does not fit), then the chart on a page of its own."""
    from matplotlib.backends.backend_pdf import PdfPages

    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": spec.pdf_title, "Creator": "safe-migration-bot"}) as pdf:
        for page in _pages(spec):
            pdf.savefig(page)
        pdf.savefig(chart.draw(spec.chart))
    return buffer.getvalue()


def _pages(spec: ReportSpec) -> list[Any]:
    from matplotlib.figure import Figure

    chart.plain_text()
    pages: list[Any] = []
    y = 0.0

    def new_page() -> float:
        page = Figure(figsize=A4, dpi=100)
        page.text(0.08, 0.035, spec.footer, fontsize=7, color="#555555")
        pages.append(page)
        if len(pages) > 1:
            return TOP
        page.text(0.08, 0.955, spec.title, fontsize=16, fontweight="bold", va="top")
        page.text(0.08, 0.925, spec.subtitle, fontsize=11, color="#333333", va="top")
        return TOP - 0.05

    y = new_page()
    for section in spec.sections:
        note = textwrap.wrap(section.note, NOTE_WIDTH)
        needed = LINE * (len(section.lines) + 2.5 + len(note))
        if y - needed < BOTTOM:
            y = new_page()
        page = pages[-1]
        page.text(0.08, y, section.heading, fontsize=11, fontweight="bold", va="top")
        y -= LINE * 1.3
        for label, value in section.lines:
            page.text(0.13 if label.startswith(" ") else 0.1, y, label.strip(), fontsize=9.5, va="top")
            page.text(0.9, y, value, fontsize=9.5, va="top", ha="right")
            y -= LINE
        for line in note:
            page.text(0.1, y, line, fontsize=8, va="top", color="#555555")
            y -= LINE * 0.85
        y -= LINE * 0.8
    return pages
