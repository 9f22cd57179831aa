"""The figures as files for spreadsheets and donors, in the caller's locale (English: the source strings,
`--lang en`): the totals (each figure and each breakdown, with readable names), the series by day (or
week) behind the chart, as CSV (UTF-8 with a byte-order mark, so Excel shows Cyrillic) and as one Excel
workbook with both sheets. A cell that a spreadsheet would take for a formula is neutralised."""

from __future__ import annotations

import csv
import io
from typing import Any

from aiogram.utils.i18n import gettext as _

from bot.content import Content
from bot.content.catalogs import LANGUAGE_NAMES
from bot.screens import words
from bot.screens.stats import AGENCY_RESULTS, country_label, file_name, rows, topic_title
from bot.services import sheets
from bot.services.stats import Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel, LibreOffice and Google Sheets read as a formula


def breakdowns(report: Report, content: Content, locale: str) -> dict[str, tuple[str, list[tuple[str, int]]]]:
    """Each breakdown of the period by its id: (its name, [(item, count), ...] largest first)."""
    by = report.breakdown
    return {
        "language": (_("People active in the period, by language"),
                     [(LANGUAGE_NAMES.get(code, _("not given")), n) for code, n in by("active", "language=")]),
        "citizenship": (_("People active in the period, by citizenship"), [(country_label(c), n) for c, n in by("active", "citizenship=")]),
        "destination": (_("People active in the period, by destination"), [(country_label(c), n) for c, n in by("active", "destination=")]),
        "leaflet": (_("Reach by leaflet: people who opened it"), by("leaflet")),
        "guide": (_("Guide topics read"), [(topic_title(content, locale, t), n) for t, n in by("guide")]),
        "country": (_("Country guides read"), [(country_label(c), n) for c, n in by("country")]),
        "checklist": (_("Checklists started"), [(country_label(c), n) for c, n in by("checklist", "started:")]),
        "screening": (_("Self-checks"), [(str(words.LEVELS.get(k, k)), n) for k, n in by("screening")]),
        "agency_check": (_("Agency checks"), [(str(AGENCY_RESULTS.get(k, k)), n) for k, n in by("agency_check")]),
        "agency_report": (_("Agency reports"), [(str(AGENCY_RESULTS.get(k, k)), n) for k, n in by("agency_report")]),
        "opened": (_("Cases opened"), [(str(words.KINDS.get(k, k)), n) for k, n in by("cases", "opened:")]),
        "closed": (_("Cases closed"), [(str(words.OUTCOMES.get(k, k)), n) for k, n in by("cases", "closed:")]),
    }


def totals(report: Report, content: Content, locale: str) -> list[list[Any]]:
    """The totals sheet: figure, detail, value; the headline figures first, then every breakdown."""
    out: list[list[Any]] = [[_("Figure"), _("Detail"), _("Value")]]
    parent = ""
    for label, value in rows(report):
        if label.startswith(" "):
            out.append([parent, label.strip(), value_of(value)])
        else:
            parent = label
            out.append([label, "", value_of(value)])
    for name, items in breakdowns(report, content, locale).values():
        out += [[name, item, count] for item, count in items]
    return out


def series(report: Report) -> list[list[Any]]:
    """The chart's numbers: one row a day (a week, from Monday, for long periods)."""
    head = _("Week from") if report.weekly else _("Day")
    out: list[list[Any]] = [[head, _("active people"), _("new people"), _("cases")]]
    out += [[bucket.start.isoformat(), bucket.active, bucket.new, bucket.cases] for bucket in report.buckets]
    return out


def value_of(value: float | None) -> Any:
    """A figure as a cell: a whole number, a tenth, or empty for none (a median with no case)."""
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else round(value, 1)


def neutral(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) kept as text, with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[neutral(cell) for cell in row] for row in table])
    return buffer.getvalue().encode("utf-8-sig")


def csv_files(report: Report, content: Content, locale: str) -> list[tuple[str, bytes]]:
    """The totals and the series, as two CSV files (name, content)."""
    period = report.period
    return [(file_name(period, "csv", "totals"), to_csv(totals(report, content, locale))),
            (file_name(period, "csv", "by-day"), to_csv(series(report)))]


def workbook(report: Report, content: Content, locale: str) -> tuple[str, bytes]:
    """One Excel file: the totals sheet and the series sheet."""
    sheet = _("By week") if report.weekly else _("By day")
    return file_name(report.period, "xlsx"), sheets.workbook([(_("Totals"), totals(report, content, locale)), (sheet, series(report))])
