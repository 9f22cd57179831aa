"""Figures for admins, in the caller's locale: the /admin list, the period help and the reasons a period
is refused, the compact table with its period and CSV buttons, the digest's comparison, and the chart
(PNG), drawn from ready-made labels in a worker thread (matplotlib's Agg backend, no display), so the
event loop never waits for it."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.callbacks import StatsAction, StatsCb
from bot.content import Content
from bot.screens import agency as agency_screens
from bot.screens import keyboards, words
from bot.screens.common import Screen, button, clipped
from bot.services.stats import Period, PeriodError, Report, last_days

QUICK_PERIODS = (7, 30, 365)
TOP_TOPICS = 5

# what an agency check ended in: a registry status (the names the result card and the alerts use), or
# one of the two searches that found no single agency
AGENCY_RESULTS = {
    **agency_screens.STATUS_NAMES,
    "choices": __("several names offered"),
    "too_vague": __("name too vague"),
}
PERIOD_REASONS = {
    "too_long": __("A period is 1 to {limit} days."),
    "no_month": __("There is no such month."),
    "not_understood": __("I did not understand the period."),
    "reversed": __("The second date is before the first."),
    "not_begun": __("That period has not begun yet."),
}


def period_help() -> str:
    return _(
        "Examples: <code>/stats</code> (the last 7 days), <code>/stats 30</code> (30 days), "
        "<code>/stats 2026-11</code> (a month), <code>/stats 2026-11-01 2026-11-15</code>."
    )


def period_refused(error: PeriodError) -> str:
    """Why the period was refused, with the examples."""
    return f"{str(PERIOD_REASONS[error.reason]).format(**error.values)}\n{period_help()}"


def admin_tools(weekly_digest: bool) -> str:
    lines = [
        _("🛠 <b>Admin tools</b>"),
        "/stats — " + _("figures for a period: a table, a chart and a CSV file"),
        "/broadcast — " + _("an announcement to the people you choose"),
        "/registries — " + _("the agency registries loaded, with their dates"),
        "/reports — " + _("reports about agencies"),
        "/reload — " + _("read the content files again, after checking them"),
        _("To load a registry, send its file (Excel, CSV or YAML) with a caption: country code, source, date of the list."),
    ]
    if weekly_digest:
        lines.append(_("Every Monday you get last week's figures here."))
    lines.append(period_help())
    return "\n".join(lines)


PROBLEMS_SHOWN = 2500  # characters of the errors list: the answer stays within one message


def reload_done(changed: bool, *, several: bool) -> str:
    if not changed:
        return _("The content files have not changed: nothing to reload.")
    lines = [_("✅ Content reloaded: topics, country guides, contacts and checklists are the new ones now.")]
    if several:
        lines.append(_("The other instances of the bot take it within a few seconds."))
    lines.append(_("Button texts and settings change only at a restart."))
    return "\n".join(lines)


def reload_refused(problems: str) -> str:
    shown = clipped(problems, PROBLEMS_SHOWN)
    return "\n".join([
        _("⛔ Content not reloaded: the files have errors. The bot goes on with the content it had."),
        _("Fix these, then send /reload again:"),
        f"<pre>{escape(shown)}</pre>",
    ])


def reload_busy() -> str:
    return _("A reload is already under way. Wait a few seconds.")


def _n(value: float) -> str:
    if not float(value).is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}".replace(",", " ")


def shown_value(value: float | None) -> str:
    """A figure as the table shows it (and the report): 1 234, 17.5, or — for none (a median of no case)."""
    return _n(value) if value is not None else "—"


def _sign(value: int) -> str:
    return f"+{_n(value)}" if value > 0 else ("±0" if value == 0 else f"−{_n(-value)}")


def country_label(code: str) -> str:
    return keyboards.country_name(code) if code != "unknown" else _("not given")


def topic_title(content: Content, locale: str, topic: str) -> str:
    try:
        return content.topic(locale, topic).title
    except KeyError:
        return topic  # a topic since removed from the guide


def _joined(pairs: list[tuple[str, int]]) -> str:
    return " · ".join(f"{escape(name)} {_n(count)}" for name, count in pairs) or "—"


def rows(report: Report) -> list[tuple[str, float | None]]:
    """(label, value) of the main figures; an indented label is part of the one above."""
    r = report
    minutes = r.values.get(("cases", "median_minutes_to_take"))
    return [
        (_("People in the bot, all time"), r.total("users", "language=")),
        (_("New people"), r.get("users", "new")),
        (_("Active people"), r.get("active", "people")),
        (_("Guide topics read"), r.total("guide")),
        (_("Country guides read"), r.total("country")),
        (_("Checklists started"), r.total("checklist", "started:")),
        ("  " + _("completed"), r.total("checklist", "completed:")),
        (_("Reminders sent"), r.get("reminders", "sent")),
        (_("Safety check-ins set up"), r.get("checkin", "on")),
        ("  " + _("answered \"I'm OK\""), r.get("checkin", "ok")),
        ("  " + _("consultants told"), r.get("checkin", "raised")),  # missed twice
        (_("Self-checks"), r.total("screening")),
        ("  " + _("high risk"), r.get("screening", "high") + r.get("screening", "emergency")),
        (_("Agency checks"), r.total("agency_check")),
        ("  " + _("not in the registry"), r.get("agency_check", "not_found")),
        (_("Agency reports"), r.total("agency_report")),
        (_("Cases opened"), r.total("cases", "opened:")),
        ("  " + _("taken"), r.get("cases", "taken")),
        ("  " + _("median minutes to take"), minutes),
        ("  " + _("closed"), r.total("cases", "closed:")),
    ]


def _pre(report: Report) -> str:
    shown = rows(report)
    width = max(len(label) for label, _value in shown)
    values = [shown_value(value) for _label, value in shown]
    size = max(len(v) for v in values)
    lines = [f"{label.ljust(width)} {value.rjust(size)}" for (label, _value), value in zip(shown, values, strict=True)]
    return "<pre>" + escape("\n".join(lines)) + "</pre>"


def _topics(report: Report, content: Content, locale: str) -> list[tuple[str, int]]:
    return [(topic_title(content, locale, topic), count) for topic, count in report.breakdown("guide")[:TOP_TOPICS]]


def table(report: Report, content: Content, locale: str) -> str:
    r = report
    languages = [(code if code != "unknown" else "?", n) for code, n in r.breakdown("active", "language=")]
    parts = [
        _pre(report),
        _("<b>People active in the period, by language:</b> {list}").format(list=_joined(languages)),
        _("<b>… by citizenship:</b> {list}").format(list=_joined([(country_label(c), n) for c, n in r.breakdown("active", "citizenship=")])),
        _("<b>… by destination:</b> {list}").format(list=_joined([(country_label(c), n) for c, n in r.breakdown("active", "destination=")])),
        _("<b>Reach by leaflet</b> (people who opened its link or QR code): {list}").format(list=_joined(r.breakdown("leaflet"))),
        _("<b>Topics read most:</b> {list}").format(list=_joined(_topics(report, content, locale))),
        _("<b>Self-check levels:</b> {list}").format(
            list=_joined([(str(words.LEVELS.get(k, k)), n) for k, n in r.breakdown("screening")])),
        _("<b>Agency checks:</b> {list}").format(
            list=_joined([(str(AGENCY_RESULTS.get(k, k)), n) for k, n in r.breakdown("agency_check")])),
        _("<b>Cases by kind:</b> {list}").format(
            list=_joined([(str(words.KINDS.get(k, k)), n) for k, n in r.breakdown("cases", "opened:")])),
        _("<b>Cases closed:</b> {list}").format(
            list=_joined([(str(words.OUTCOMES.get(k, k)), n) for k, n in r.breakdown("cases", "closed:")])),
    ]
    return "\n".join(parts)


def figures_screen(report: Report, content: Content, locale: str, today: date, *, prefix: str = "") -> Screen:
    """The table under its heading (after `prefix`), with buttons for the quick periods and the CSV file."""
    period = report.period
    head = _("📊 <b>Figures for {period}</b> ({days} days, UTC)").format(period=period.shown(), days=period.days)
    quick = [
        button(_("{days} days").format(days=days),
               StatsCb(a=StatsAction.SHOW, s=last_days(days, today).start.isoformat(), e=today.isoformat()).pack())
        for days in QUICK_PERIODS
    ]
    span = {"s": period.start.isoformat(), "e": period.end.isoformat()}
    files = [button(_("📄 CSV file"), StatsCb(a=StatsAction.CSV, **span).pack()),
             button(_("📗 Excel file"), StatsCb(a=StatsAction.XLSX, **span).pack())]
    pdf = [button(_("📑 Report (PDF)"), StatsCb(a=StatsAction.PDF, **span).pack()),
           button(_("📑 Report in English"), StatsCb(a=StatsAction.PDF_EN, **span).pack())]
    return Screen(f"{prefix}{head}\n\n{table(report, content, locale)}", InlineKeyboardMarkup(inline_keyboard=[quick, files, pdf]))


def comparison(report: Report, before: Report) -> str:
    """The headline figures against the period before (the digest)."""
    pairs = [
        (_("active people"), int(report.get("active", "people")), int(before.get("active", "people"))),
        (_("new people"), int(report.get("users", "new")), int(before.get("users", "new"))),
        (_("self-checks"), report.total("screening"), before.total("screening")),
        (_("cases"), report.total("cases", "opened:"), before.total("cases", "opened:")),
    ]
    listed = ", ".join(f"{name} {_sign(now - then)}" for name, now, then in pairs)
    return _("Against the week before: {list}.").format(list=listed)


def digest_head(report: Report, before: Report) -> str:
    """What the weekly digest's table begins with."""
    return _("🗓 <b>Weekly figures</b>\n{comparison}\n\n").format(comparison=comparison(report, before))


def files_caption(period: Period) -> str:
    return _("Figures for {period}: the totals (each figure and breakdown), and the numbers by day behind the chart.").format(
        period=period.shown())


def report_caption(period: Period) -> str:
    return _("Report for {period}: the figures, the chart and the cases, for donors. Counts only, no personal data.").format(
        period=period.shown())


def report_name(period: Period, locale: str) -> str:
    return f"report-{period.start.isoformat()}-{period.end.isoformat()}-{locale}.pdf"


def chart_caption(period: Period) -> str:
    return _("📈 {period}").format(period=period.shown())


def chart_failed() -> str:
    return _("The chart could not be drawn this time. The figures above are complete.")


def file_name(period: Period, extension: str, part: str = "") -> str:
    """figures-<start>-<end>[-<part>].<extension>"""
    return f"figures-{period.start.isoformat()}-{period.end.isoformat()}{'-' + part if part else ''}.{extension}"
