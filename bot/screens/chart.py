"""The figures' chart, a figure a donor report can carry: the organisation and the period's totals in the
title; people over time (active and new) with the legend outside the data; cases opened on a panel of
their own; what people did, apart from what the bot sent; zero series left out; the day (or week) not
over yet marked as such. Labels in the caller's locale (English: `--lang en`), made by `chart_spec`;
`render_png` draws them (matplotlib's Agg backend, no display) in a worker thread (bot.telegram.chart).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from aiogram.utils.i18n import gettext as _

from bot.services.stats import Report

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SIZE = (8, 8)  # inches at 100 dpi: 800 × 800 px, readable on a phone and in a report
ACTIVE, NEW, CASES, DONE = "#1f77b4", "#ff7f0e", "#d62728", "#2ca02c"


@dataclass(frozen=True)
class ChartSpec:
    title: str
    totals: str  # the period's headline figures, under the title
    labels: list[str]
    active: list[int]
    new: list[int]
    cases: list[int]
    names: tuple[str, str]  # active, new
    people_title: str
    cases_title: str
    used_title: str
    used: list[tuple[str, int]]  # what people did: only what happened at least once
    footer: list[str] = field(default_factory=list)  # what the bot sent; the day not over yet
    open_last: bool = False  # the last day (week) is not over: drawn lighter, marked *


def chart_spec(report: Report, today: date, organisation: str = "") -> ChartSpec:
    """The chart's labels and numbers, in the current locale."""
    period = report.period
    buckets = report.buckets
    last = buckets[-1].start if buckets else period.end
    open_last = bool(buckets) and (last + timedelta(days=6 if report.weekly else 0)) >= today >= last
    labels = [max(b.start, period.start).strftime("%d.%m") for b in buckets]
    if open_last:
        labels[-1] += "*"
    heading = (_("People by week, {period}") if report.weekly else _("People by day, {period}")).format(period=period.shown())
    used = [
        (_("Guide topics"), report.total("guide")),
        (_("Country guides"), report.total("country")),
        (_("Checklists started"), report.total("checklist", "started:")),
        (_("Self-checks"), report.total("screening")),
        (_("Agency checks"), report.total("agency_check")),
        (_("Cases opened"), report.total("cases", "opened:")),
    ]
    footer = [_("The bot sent {count} reminders in the period.").format(count=int(report.get("reminders", "sent")))]
    if open_last:
        footer.append(_("* this week is not over yet") if report.weekly else _("* today is not over yet"))
    return ChartSpec(
        title=f"{organisation} · {heading}" if organisation else heading,
        totals=_("{active} active people, {new} new, {cases} cases opened").format(
            active=int(report.get("active", "people")), new=int(report.get("users", "new")), cases=report.total("cases", "opened:")),
        labels=labels,
        active=[b.active for b in buckets],
        new=[b.new for b in buckets],
        cases=[b.cases for b in buckets],
        names=(_("active"), _("new")),
        people_title=_("People"),
        cases_title=_("Cases opened by week") if report.weekly else _("Cases opened by day"),
        used_title=_("What people did"),
        used=[(name, count) for name, count in used if count],
        footer=footer,
        open_last=open_last,
    )


def render_png(spec: ChartSpec) -> bytes:
    buffer = io.BytesIO()
    draw(spec).savefig(buffer, format="png")
    return buffer.getvalue()


def plain_text() -> None:
    """Text is drawn as written: a "$" in a name (NGO_NAME, a topic's title) is not the start of a formula."""
    import matplotlib

    matplotlib.rcParams["text.parse_math"] = False


def draw(spec: ChartSpec) -> Figure:
    """People, then cases (if any), then what people did (if anything): the panels that have something."""
    from matplotlib.figure import Figure

    plain_text()
    panels = [("people", 3.0)] + ([("cases", 1.3)] if any(spec.cases) else []) + ([("used", 0.45 * len(spec.used) + 0.6)] if spec.used else [])
    figure = Figure(figsize=SIZE, dpi=100, layout="constrained")
    figure.suptitle(f"{spec.title}\n{spec.totals}", fontsize=12, fontweight="bold")
    axes = figure.subplots(len(panels), 1, height_ratios=[ratio for _name, ratio in panels], squeeze=False)[:, 0]
    for (name, _ratio), ax in zip(panels, axes, strict=True):
        {"people": _people, "cases": _cases, "used": _used}[name](spec, ax)
    if spec.footer:
        figure.text(0.01, 0.005, "   ".join(spec.footer), fontsize=8, color="#555555", ha="left", va="bottom")
        figure.get_layout_engine().set(h_pad=0.1, rect=(0, 0.03, 1, 0.97))  # type: ignore[call-arg, union-attr]
    return figure


def _ticks(spec: ChartSpec, ax: object, bins: int | None = None) -> None:
    from matplotlib.ticker import MaxNLocator

    step = max(1, len(spec.labels) // 12)
    shown = list(range(0, len(spec.labels), step))
    if shown and shown[-1] != len(spec.labels) - 1:  # the last day (marked * when not over) always named
        shown[-1 if len(spec.labels) - 1 - shown[-1] < step else len(shown):] = [len(spec.labels) - 1]
    ax.set_xticks(shown, [spec.labels[i] for i in shown], rotation=45 if len(spec.labels) > 8 else 0, fontsize=8)  # type: ignore[attr-defined]
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=bins or "auto"))  # type: ignore[attr-defined]
    ax.set_ylim(bottom=0)  # type: ignore[attr-defined]
    ax.grid(axis="y", alpha=0.3)  # type: ignore[attr-defined]
    ax.spines[["top", "right"]].set_visible(False)  # type: ignore[attr-defined]


def _bars(ax: object, positions: list[float], values: list[int], width: float, color: str, label: str | None, open_last: bool) -> None:
    bars = ax.bar(positions, values, width, color=color, label=label)  # type: ignore[attr-defined]
    if open_last and bars:
        bars[-1].set_alpha(0.4)
        bars[-1].set_hatch("//")


def _people(spec: ChartSpec, ax: object) -> None:
    positions = list(range(len(spec.labels)))
    width = 0.4
    _bars(ax, [p - width / 2 for p in positions], spec.active, width, ACTIVE, spec.names[0], spec.open_last)
    if any(spec.new):
        _bars(ax, [p + width / 2 for p in positions], spec.new, width, NEW, spec.names[1], spec.open_last)
    _ticks(spec, ax)
    ax.set_title(spec.people_title, loc="left", fontsize=10)  # type: ignore[attr-defined]
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncol=2, frameon=False, fontsize=9)  # type: ignore[attr-defined]


def _cases(spec: ChartSpec, ax: object) -> None:
    _bars(ax, list(range(len(spec.labels))), spec.cases, 0.6, CASES, None, spec.open_last)
    _ticks(spec, ax, bins=4)
    ax.set_title(spec.cases_title, loc="left", fontsize=10)  # type: ignore[attr-defined]


def _used(spec: ChartSpec, ax: object) -> None:
    from matplotlib.ticker import MaxNLocator

    names = [name for name, _count in reversed(spec.used)]
    counts = [count for _name, count in reversed(spec.used)]
    bars = ax.barh(names, counts, color=DONE)  # type: ignore[attr-defined]
    ax.bar_label(bars, padding=3, fontsize=9)  # type: ignore[attr-defined]
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # type: ignore[attr-defined]
    ax.set_xlim(0, max(counts) * 1.15)  # type: ignore[attr-defined]
    ax.set_title(spec.used_title, loc="left", fontsize=10)  # type: ignore[attr-defined]
    ax.spines[["top", "right"]].set_visible(False)  # type: ignore[attr-defined]
    ax.tick_params(axis="y", labelsize=9)  # type: ignore[attr-defined]
