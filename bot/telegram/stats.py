"""Figures for NGO staff: the period an admin types after /stats, a compact table, a chart (PNG), and
the weekly digest sent to every admin in their own language.

Everything here is counts: no names, no Telegram ids, nothing anyone wrote (see bot/services/events.py).
Texts are made with gettext in the caller's locale; the chart is drawn from ready-made labels in a
worker thread (matplotlib's Agg backend, no display), so the event loop never waits for it.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from html import escape

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.callbacks import StatsCb
from bot.content import Content
from bot.i18n import CatalogI18n
from bot.screens import agency as agency_screens
from bot.screens import keyboards
from bot.screens import words as texts
from bot.services.dates import add_months
from bot.services.events import Bucket, buckets, figures, to_csv, weekly
from bot.services.users import UserService
from bot.storage.db import Database

log = logging.getLogger(__name__)

MAX_DAYS = 366
QUICK_PERIODS = (7, 30, 365)
TOP_TOPICS = 5
# The digest goes out on Monday once it is 09:00 in Tashkent and Dushanbe (10:00 in Bishkek, 07:00 in Moscow).
DIGEST_AT = time(4, 0)

# what an agency check ended in: a registry status (the names the result card and the alerts use), or
# one of the two searches that found no single agency
AGENCY_RESULTS = {
    **agency_screens.STATUS_NAMES,
    "choices": __("several names offered"),
    "too_vague": __("name too vague"),
}


class PeriodError(ValueError):
    """The text after /stats is not a period; `text()` is the reason in the current language."""

    def __init__(self, reason: object, **values: object) -> None:
        super().__init__("not a period")
        self.reason = reason  # a lazy text: translated when the answer is made
        self.values = values

    def text(self) -> str:
        return str(self.reason).format(**self.values)


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shown(self) -> str:
        if self.start == self.end:
            return self.start.strftime("%d.%m.%Y")
        return f"{self.start.strftime('%d.%m.%Y')} – {self.end.strftime('%d.%m.%Y')}"


def last_days(days: int, today: date) -> Period:
    return Period(today - timedelta(days=days - 1), today)


def _date(text: str) -> date | None:
    for shape in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, shape).date()
        except ValueError:
            continue
    return None


def parse_period(text: str, today: date) -> Period:
    """What may follow /stats: nothing (the last 7 days), a number of days (`30`), a month (`2026-11`),
    a day, or two days (`2026-11-01 2026-11-20`, also `01.11.2026..20.11.2026`)."""
    text = text.strip().lower()
    if not text:
        return last_days(7, today)
    if match := re.fullmatch(r"(\d{1,3})\s*d?", text):
        days = int(match.group(1))
        if not 1 <= days <= MAX_DAYS:
            raise PeriodError(__("A period is 1 to {limit} days."), limit=MAX_DAYS)
        return last_days(days, today)
    if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(__("There is no such month."))
        start = date(year, month, 1)
        end = add_months(start, 1) - timedelta(days=1)
        period = Period(start, min(end, today))
    else:
        parts = [p for p in re.split(r"\s*(?:\.\.|–|—|\s)\s*", text) if p]
        days = [_date(p) for p in parts]
        if not 1 <= len(days) <= 2 or any(d is None for d in days):
            raise PeriodError(__("I did not understand the period."))
        start, end = days[0], days[-1]
        assert start is not None and end is not None
        if end < start:
            raise PeriodError(__("The second date is before the first."))
        period = Period(start, min(end, today))
    if period.start > today:
        raise PeriodError(__("That period has not begun yet."))
    if period.days > MAX_DAYS:
        raise PeriodError(__("A period is 1 to {limit} days."), limit=MAX_DAYS)
    return period


def period_help() -> str:
    return _(
        "Examples: <code>/stats</code> (the last 7 days), <code>/stats 30</code> (30 days), "
        "<code>/stats 2026-11</code> (a month), <code>/stats 2026-11-01 2026-11-15</code>."
    )


@dataclass
class Report:
    period: Period
    values: dict[tuple[str, str], float]
    buckets: list[Bucket] = field(default_factory=list)

    def get(self, section: str, key: str) -> float:
        return self.values.get((section, key), 0)

    def total(self, section: str, prefix: str = "") -> int:
        return int(sum(v for (s, k), v in self.values.items() if s == section and k.startswith(prefix)))

    def breakdown(self, section: str, prefix: str = "") -> list[tuple[str, int]]:
        """(key without the prefix, count), largest first."""
        rows = [(k.removeprefix(prefix), int(v)) for (s, k), v in self.values.items() if s == section and k.startswith(prefix)]
        return sorted((row for row in rows if row[1]), key=lambda row: (-row[1], row[0]))


def _n(value: float) -> str:
    if not float(value).is_integer():
        return f"{value:.1f}"
    return f"{int(value):,}".replace(",", " ")


def _sign(value: int) -> str:
    return f"+{_n(value)}" if value > 0 else ("±0" if value == 0 else f"−{_n(-value)}")


def _country(code: str) -> str:
    return keyboards.country_name(code) if code != "unknown" else _("not given")


class Stats:
    def __init__(self, db: Database, content: Content, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db = db
        self.content = content
        self.clock = clock
        self._draw = threading.Lock()  # one chart at a time: matplotlib's font cache is shared

    def today(self) -> date:
        return self.clock().astimezone(UTC).date()

    async def report(self, period: Period) -> Report:
        rows = await figures(self.db, period.start, period.end)
        return Report(period, {(f.section, f.key): f.value for f in rows}, await buckets(self.db, period.start, period.end))

    # -- the table ----------------------------------------------------------------------------
    def rows(self, report: Report) -> list[tuple[str, float | None]]:
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

    def table(self, report: Report, locale: str) -> str:
        rows = self.rows(report)
        width = max(len(label) for label, _value in rows)
        values = [_n(value) if value is not None else "—" for _label, value in rows]
        size = max(len(v) for v in values)
        lines = [f"{label.ljust(width)} {value.rjust(size)}" for (label, _value), value in zip(rows, values)]
        table = escape("\n".join(lines))

        def joined(pairs: list[tuple[str, int]]) -> str:
            return " · ".join(f"{escape(name)} {_n(count)}" for name, count in pairs) or "—"

        r = report
        languages = [(code if code != "unknown" else "?", n) for code, n in r.breakdown("users", "language=")]
        topics = []
        for topic, count in r.breakdown("guide")[:TOP_TOPICS]:
            try:
                topics.append((self.content.topic(locale, topic).title, count))
            except KeyError:
                topics.append((topic, count))  # a topic since removed from the guide
        parts = [
            "<pre>" + table + "</pre>",
            _("<b>Languages:</b> {list}").format(list=joined(languages)),
            _("<b>Citizenship:</b> {list}").format(list=joined([(_country(c), n) for c, n in r.breakdown("users", "citizenship=")])),
            _("<b>Destination:</b> {list}").format(list=joined([(_country(c), n) for c, n in r.breakdown("users", "destination=")])),
            _("<b>Topics read most:</b> {list}").format(list=joined(topics)),
            _("<b>Self-check levels:</b> {list}").format(
                list=joined([(str(texts.LEVELS.get(k, k)), n) for k, n in r.breakdown("screening")])),
            _("<b>Agency checks:</b> {list}").format(
                list=joined([(str(AGENCY_RESULTS.get(k, k)), n) for k, n in r.breakdown("agency_check")])),
            _("<b>Cases by kind:</b> {list}").format(
                list=joined([(str(texts.KINDS.get(k, k)), n) for k, n in r.breakdown("cases", "opened:")])),
            _("<b>Cases closed:</b> {list}").format(
                list=joined([(str(texts.OUTCOMES.get(k, k)), n) for k, n in r.breakdown("cases", "closed:")])),
        ]
        return "\n".join(parts)

    def screen(self, report: Report, locale: str) -> tuple[str, InlineKeyboardMarkup]:
        period = report.period
        head = _("📊 <b>Figures for {period}</b> ({days} days, UTC)").format(period=period.shown(), days=period.days)
        quick = [
            InlineKeyboardButton(
                text=_("{days} days").format(days=days),
                callback_data=StatsCb(a="show", s=last_days(days, self.today()).start.isoformat(), e=self.today().isoformat()).pack(),
            )
            for days in QUICK_PERIODS
        ]
        csv = InlineKeyboardButton(
            text=_("📄 CSV file"), callback_data=StatsCb(a="csv", s=period.start.isoformat(), e=period.end.isoformat()).pack()
        )
        return f"{head}\n\n{self.table(report, locale)}", InlineKeyboardMarkup(inline_keyboard=[quick, [csv]])

    def comparison(self, report: Report, before: Report) -> str:
        """The headline figures against the period before (the digest)."""
        pairs = [
            (_("active people"), int(report.get("active", "people")), int(before.get("active", "people"))),
            (_("new people"), int(report.get("users", "new")), int(before.get("users", "new"))),
            (_("self-checks"), report.total("screening"), before.total("screening")),
            (_("cases"), report.total("cases", "opened:"), before.total("cases", "opened:")),
        ]
        listed = ", ".join(f"{name} {_sign(now - then)}" for name, now, then in pairs)
        return _("Against the week before: {list}.").format(list=listed)

    # -- the chart ----------------------------------------------------------------------------
    def chart_spec(self, report: Report) -> ChartSpec:
        period = report.period
        by_week = weekly(period.start, period.end)
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
            title=(_("People by week, {period}") if by_week else _("People by day, {period}")).format(period=period.shown()),
            labels=labels,
            active=[b.active for b in report.buckets],
            new=[b.new for b in report.buckets],
            cases=[b.cases for b in report.buckets],
            names=(_("active"), _("new"), _("cases opened")),
            used_title=_("What people did"),
            used=used,
        )

    async def chart(self, report: Report) -> bytes:
        spec = self.chart_spec(report)  # texts here, in the caller's locale
        return await asyncio.to_thread(self._render, spec)

    def _render(self, spec: ChartSpec) -> bytes:
        with self._draw:
            return render_png(spec)

    async def csv(self, period: Period) -> bytes:
        return to_csv(await figures(self.db, period.start, period.end), period.start, period.end).encode("utf-8")


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


async def send_report(bot: Bot, chat_id: int, stats: Stats, report: Report, locale: str, *, prefix: str = "") -> None:
    """The table (with period buttons and CSV), then the chart; a chart that cannot be drawn is said, not hidden."""
    text, markup = stats.screen(report, locale)
    await bot.send_message(chat_id, f"{prefix}{text}", reply_markup=markup)
    try:
        png = await stats.chart(report)
    except Exception:  # noqa: BLE001 - the figures above are already there
        log.exception("could not draw the chart")
        await bot.send_message(chat_id, _("The chart could not be drawn this time. The figures above are complete."))
        return
    name = f"figures-{report.period.start.isoformat()}-{report.period.end.isoformat()}.png"
    await bot.send_photo(chat_id, BufferedInputFile(png, name), caption=_("📈 {period}").format(period=report.period.shown()))


class Digest:
    """Every Monday, last week's figures to every admin, in each admin's language; once per admin and week."""

    def __init__(
        self, bot: Bot, db: Database, stats: Stats, users: UserService, i18n: CatalogI18n, admin_ids: frozenset[int],
        default_locale: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.bot = bot
        self.db = db
        self.stats = stats
        self.users = users
        self.i18n = i18n
        self.admin_ids = admin_ids
        self.default_locale = default_locale
        self.clock = clock

    def due_week(self) -> Period:
        """Last week (Monday to Sunday), once this week's sending time has come."""
        now = self.clock().astimezone(UTC)
        monday = now.date() - timedelta(days=now.weekday())
        if now < datetime.combine(monday, DIGEST_AT, tzinfo=UTC):
            monday -= timedelta(days=7)  # before Monday's hour: the week before last is the one still due
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))

    async def tick(self) -> int:
        """Send the due digest to every admin who has not had it; returns how many were sent."""
        if not self.admin_ids:
            return 0
        week = self.due_week()
        until = datetime.combine(week.end + timedelta(days=1), time(0), tzinfo=UTC).isoformat()
        if await self.db.fetchone("SELECT 1 FROM users WHERE first_seen < ? LIMIT 1", (until,)) is None:
            return 0  # the bot had no one yet that week (a new installation): nothing worth a digest
        sent = 0
        report = before = None
        for admin_id in sorted(self.admin_ids):
            claimed = await self.db.execute(
                "INSERT INTO digests (admin_id, week, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                (admin_id, week.start.isoformat(), self.clock().isoformat()),
            )
            if not claimed:
                continue
            if report is None:
                report = await self.stats.report(week)
                before = await self.stats.report(Period(week.start - timedelta(days=7), week.start - timedelta(days=1)))
            assert before is not None
            user = await self.users.get(admin_id)
            locale = user.language if user is not None and user.language else self.default_locale
            try:
                with self.i18n.context(), self.i18n.use_locale(locale):
                    head = _("🗓 <b>Weekly figures</b>\n{comparison}\n\n").format(comparison=self.stats.comparison(report, before))
                    await send_report(self.bot, admin_id, self.stats, report, locale, prefix=head)
                sent += 1
            except (TelegramForbiddenError, TelegramBadRequest) as error:
                # the admin never started the bot or blocked it: said in the log, not retried every tick
                log.warning("weekly digest not delivered to admin %s: %s", admin_id, error.message)
            except Exception:
                await self.db.execute("DELETE FROM digests WHERE admin_id = ? AND week = ?", (admin_id, week.start.isoformat()))
                log.exception("weekly digest to admin %s failed; tried again at the next tick", admin_id)
        return sent
