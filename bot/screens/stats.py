"""Figures for admins, in the caller's locale: the /admin list, the period help and the reasons a period
is refused, the compact table with its period and CSV buttons, the digest's comparison, and the chart
(PNG), drawn from ready-made labels in a worker thread (matplotlib's Agg backend, no display), so the
event loop never waits for it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.callbacks import StatsAction, StatsCb
from bot.content import Content
from bot.screens import agency as agency_screens
from bot.screens import keyboards, words
from bot.screens.common import Screen, button
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
        _("To load a registry, send its file (CSV or YAML) with a caption: country code, source, date of the list."),
    ]
    if weekly_digest:
        lines.append(_("Every Monday you get last week's figures here."))
    lines.append(period_help())
    return "\n".join(lines)


def _n(value: float) -> str:
    if not float(value).is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}".replace(",", " ")


def _sign(value: int) -> str:
    return f"+{_n(value)}" if value > 0 else ("±0" if value == 0 else f"−{_n(-value)}")


def _country(code: str) -> str:
    return keyboards.country_name(code) if code != "unknown" else _("not given")


def _joined(pairs: list[tuple[str, int]]) -> str:
    return " · ".join(f"{escape(name)} {_n(count)}" for name, count in pairs) or "—"


def rows(report: Report) -> list[tuple[str, float | None]]:
    """(label, value) of the main figures; an indented label is part of the one above."""
    r = report
    minutes = r.values.get(("cases", "median_minutes_to_take"))
    return [
        (_("People in the bot"), r.total("users", "language=")),
        ("  " + _("new"), r.get("users", "new")),
        ("  " + _("active"), r.get("active", "people")),
        (_("Guide topics read"), r.total("guide")),
        (_("Country guides read"), r.total("country")),
        (_("Checklists started"), r.total("checklist", "started:")),
        ("  " + _("completed"), r.total("checklist", "completed:")),
        (_("Reminders sent"), r.get("reminders", "sent")),
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
    values = [_n(value) if value is not None else "—" for _label, value in shown]
    size = max(len(v) for v in values)
    lines = [f"{label.ljust(width)} {value.rjust(size)}" for (label, _value), value in zip(shown, values, strict=True)]
    return "<pre>" + escape("\n".join(lines)) + "</pre>"


def _topics(report: Report, content: Content, locale: str) -> list[tuple[str, int]]:
    topics = []
    for topic, count in report.breakdown("guide")[:TOP_TOPICS]:
        try:
            topics.append((content.topic(locale, topic).title, count))
        except KeyError:
            topics.append((topic, count))  # a topic since removed from the guide
    return topics


def table(report: Report, content: Content, locale: str) -> str:
    r = report
    languages = [(code if code != "unknown" else "?", n) for code, n in r.breakdown("users", "language=")]
    parts = [
        _pre(report),
        _("<b>Languages:</b> {list}").format(list=_joined(languages)),
        _("<b>Citizenship:</b> {list}").format(list=_joined([(_country(c), n) for c, n in r.breakdown("users", "citizenship=")])),
        _("<b>Destination:</b> {list}").format(list=_joined([(_country(c), n) for c, n in r.breakdown("users", "destination=")])),
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
    csv = button(_("📄 CSV file"), StatsCb(a=StatsAction.CSV, s=period.start.isoformat(), e=period.end.isoformat()).pack())
    return Screen(f"{prefix}{head}\n\n{table(report, content, locale)}", InlineKeyboardMarkup(inline_keyboard=[quick, [csv]]))


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


def csv_caption(period: Period) -> str:
    return _("Figures for {period}: one row per figure, for spreadsheets.").format(period=period.shown())


def chart_caption(period: Period) -> str:
    return _("📈 {period}").format(period=period.shown())


def chart_failed() -> str:
    return _("The chart could not be drawn this time. The figures above are complete.")


def file_name(period: Period, extension: str) -> str:
    return f"figures-{period.start.isoformat()}-{period.end.isoformat()}.{extension}"


# -- the chart ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChartSpec:
    title: str
    labels: list[str]
    active: list[int]
    new: list[int]
    cases: list[int]
    names: tuple[str, str, str]
    used_title: str
    used: list[tuple[str, int]]


def chart_spec(report: Report) -> ChartSpec:
    """The chart's labels and numbers, in the current locale."""
    period = report.period
    labels = [max(b.start, period.start).strftime("%d.%m") for b in report.buckets]
    used = [
        (_("Guide topics"), report.total("guide")),
        (_("Country guides"), report.total("country")),
        (_("Checklists started"), report.total("checklist", "started:")),
        (_("Reminders sent"), int(report.get("reminders", "sent"))),
        (_("Self-checks"), report.total("screening")),
        (_("Agency checks"), report.total("agency_check")),
        (_("Cases opened"), report.total("cases", "opened:")),
    ]
    return ChartSpec(
        title=(_("People by week, {period}") if report.weekly else _("People by day, {period}")).format(period=period.shown()),
        labels=labels,
        active=[b.active for b in report.buckets],
        new=[b.new for b in report.buckets],
        cases=[b.cases for b in report.buckets],
        names=(_("active"), _("new"), _("cases opened")),
        used_title=_("What people did"),
        used=used,
    )


def render_png(spec: ChartSpec) -> bytes:
    """Two panels: people (and cases) over time, and what people did in the period. 800 × 800 px."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 8), dpi=100)
    over_time, used = figure.subplots(2, 1, height_ratios=(3, 2))
    positions = list(range(len(spec.labels)))
    width = 0.4
    over_time.bar([p - width / 2 for p in positions], spec.active, width, label=spec.names[0], color="#1f77b4")
    over_time.bar([p + width / 2 for p in positions], spec.new, width, label=spec.names[1], color="#ff7f0e")
    over_time.plot(positions, spec.cases, marker="o", color="#d62728", label=spec.names[2])
    step = max(1, len(positions) // 12)
    over_time.set_xticks(positions[::step], spec.labels[::step], rotation=45 if len(positions) > 8 else 0)
    over_time.yaxis.set_major_locator(MaxNLocator(integer=True))
    over_time.set_ylim(bottom=0)
    over_time.set_title(spec.title)
    over_time.legend(loc="upper left")
    over_time.grid(axis="y", alpha=0.3)

    names = [name for name, _count in reversed(spec.used)]
    counts = [count for _name, count in reversed(spec.used)]
    bars = used.barh(names, counts, color="#2ca02c")
    used.bar_label(bars, padding=3)
    used.xaxis.set_major_locator(MaxNLocator(integer=True))
    used.set_xlim(0, max([*counts, 1]) * 1.15)
    used.set_title(spec.used_title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
