"""Callback data factories: one prefix each, all well under Telegram's 64-byte limit."""

from __future__ import annotations

from enum import Enum

from aiogram.filters.callback_data import CallbackData


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class MenuCb(CallbackData, prefix="m"):
    section: str


class ProfileCb(CallbackData, prefix="pf"):
    step: str  # "cit" | "dst"
    value: str  # ISO code, "other" or "skip"


class ForgetCb(CallbackData, prefix="forget"):
    confirm: bool


# Sections of the main menu, in order.
SECTIONS: tuple[str, ...] = (
    "guide", "countries", "checklist", "contacts", "agency", "risk", "consult", "profile", "language", "help",
)


class GuideCb(CallbackData, prefix="g"):
    """The guidance: the group list ("home"), a group, a topic page, a country guide, the country list."""

    kind: str  # "home" | "grp" | "top" | "cty" | "cties"
    id: str = ""
    page: int = 0


class ContactsCb(CallbackData, prefix="ct"):
    by: str  # "home" | "c" (country) | "n" (need)
    value: str = ""


class ScreenCb(CallbackData, prefix="scr"):
    """The self-screening: question `q` (0-based) answered `a` (y, n, u, s), or `a` = "go" to start."""

    q: int
    a: str


class EscCb(CallbackData, prefix="esc"):
    """Asking for a consultant: start (value = kind), agree, share (y/n), skip, lang (code), user (y/n), cancel."""

    step: str
    value: str = ""


class TakeCb(CallbackData, prefix="take"):
    case: int


class CloseCb(CallbackData, prefix="close"):
    case: int
    outcome: str


class ChecklistAction(str, Enum):
    """What a checklist button does (the wire values are in people's chats: never change them)."""

    SHOW = "show"  # the checklist (id = a phase)
    TAP = "tap"  # an item in the list (id = item)
    TICK = "tick"  # done / not done, from the item's own screen
    DONE = "done"  # done, from a reminder
    MUTE = "mute"  # no reminders for the item (n = 1: from the reminders list)
    UNMUTE = "unmute"
    PAID_ASK = "paid?"  # how many months were paid
    PAID = "paid"  # n months more
    PAID_ALL = "paidall"  # n months in all
    DATES = "dates"  # the person's dates
    REMINDERS = "rem"  # the reminders list
    ON = "on"  # all reminders on
    OFF = "off"  # all reminders off


class ChecklistCb(CallbackData, prefix="ck"):
    """The checklist: show (id = phase), tap / tick / done / mute / unmute / paid? (id = item),
    paid / paidall (n = months), dates, rem (the reminders), on / off (all reminders)."""

    a: ChecklistAction
    id: str = ""
    n: int = 0


CheckCb = ChecklistCb  # the former name, still used by bot/screens/guide.py


class CalendarAction(str, Enum):
    OPEN = "open"
    MONTH = "m"  # v = YYYYMM
    DAY = "d"  # v = YYYYMMDD
    CANCEL = "x"
    NOOP = "noop"  # a label: the month's name, a weekday, an empty cell


class CalCb(CallbackData, prefix="cal"):
    """The calendar for a date: f = dep | arr | an item id; a = open | m (month v=YYYYMM) | d (day v=YYYYMMDD) | x | noop."""

    f: str
    a: CalendarAction
    v: str = ""


class AgCb(CallbackData, prefix="ag"):
    """The agency check: id (show agency `id`), none (none of the matches), new (check another),
    rep (report the agency in view), nocontact, send, cancel (the report)."""

    a: str
    id: int = 0


class FlagCb(CallbackData, prefix="rf"):
    """The red-flag questions: question `q` (0-based) answered `a` (y, n, u), or `a` = "go" to start."""

    q: int
    a: str


class BcCb(CallbackData, prefix="bc"):
    """A broadcast being prepared: lang / cit / dst (v = the next choice), go, drop; stop (v = its number)."""

    a: str
    v: str = ""


class StatsCb(CallbackData, prefix="st"):
    """Figures for admins: show (a period, s..e as YYYY-MM-DD) or csv (the same period as a file)."""

    a: str
    s: str
    e: str
