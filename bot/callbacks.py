"""Callback data factories: one prefix each, all well under Telegram's 64-byte limit."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# A button whose value is not one of an Enum's (an old message, forged data) does not parse: no handler
# takes it, and the fallback (bot.middlewares.fallback) answers it as out of date with the current menu.
# Numbers are bounded the same way: a forged one out of range never reaches the database.
RowId = Annotated[int, Field(ge=0, le=2**63 - 1)]  # a case or agency number: an SQLite integer
Small = Annotated[int, Field(ge=0, le=999)]  # a question's number, a page, a count of months


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class Section(StrEnum):
    """The main menu's sections, in order, and the menu itself."""

    GUIDE = "guide"
    COUNTRIES = "countries"
    CHECKLIST = "checklist"
    CONTACTS = "contacts"
    AGENCY = "agency"
    RISK = "risk"
    CONSULT = "consult"
    PROFILE = "profile"
    CHECKIN = "checkin"  # safety check-ins: the bot checks on the person (bot.handlers.checkin)
    LANGUAGE = "language"
    HELP = "help"
    MENU = "menu"
    HIDE = "hide"  # quick hide: the chat deleted (bot.telegram.hide); on every screen's menu row, not a section


class MenuCb(CallbackData, prefix="m"):
    section: Section


class ProfileStep(StrEnum):
    CITIZENSHIP = "cit"
    DESTINATION = "dst"


class ProfileCb(CallbackData, prefix="pf"):
    step: ProfileStep
    value: str  # ISO code, "other" or "skip"


class ForgetCb(CallbackData, prefix="forget"):
    confirm: bool


# Sections of the main menu, in order.
SECTIONS: tuple[str, ...] = tuple(section.value for section in Section if section not in (Section.MENU, Section.HIDE))


class GuideKind(StrEnum):
    HOME = "home"  # the group list
    GROUP = "grp"
    TOPIC = "top"  # a topic's page
    COUNTRY = "cty"  # a country guide
    COUNTRIES = "cties"  # the country list
    SOURCES = "src"  # every source of a topic's page, with its date and when it was checked


class GuideCb(CallbackData, prefix="g"):
    """The guidance: the group list, a group, a topic page, a country guide, the country list."""

    kind: GuideKind
    id: str = ""
    page: Small = 0


class ContactsBy(StrEnum):
    HOME = "home"
    COUNTRY = "c"
    NEED = "n"
    AT = "at"  # the person says where they are now (`value`: a country code, XX elsewhere, "?" to be asked)


class ContactsCb(CallbackData, prefix="ct"):
    by: ContactsBy
    value: str = ""


class SelfcheckAction(StrEnum):
    """Start the self-check, or answer a question (the values of bot.services.selfcheck.Answer)."""

    GO = "go"
    YES = "y"
    NO = "n"
    UNSURE = "u"
    SKIP = "s"
    BACK = "b"  # back to the question before `q`


class SelfcheckCb(CallbackData, prefix="scr"):
    """The self-check: question `q` (0-based) answered `a`, or `a` = go to start."""

    q: Small
    a: SelfcheckAction


class ConsultStep(StrEnum):
    """The steps of asking for a consultant; the values are on buttons already sent, never change them."""

    START = "start"  # value = the kind of case (screening, request, danger, agency)
    AGREE = "agree"
    SHARE = "share"  # value = y | n: share the self-check answers
    SKIP = "skip"  # no description
    LANG = "lang"  # value = the language code the consultant should write in
    USER = "user"  # value = y | n: show the Telegram username
    CANCEL = "cancel"


class ConsultCb(CallbackData, prefix="esc"):
    """Asking for a consultant. A step that is not a ConsultStep does not parse: the button is stale."""

    step: ConsultStep
    value: str = ""


class TakeCb(CallbackData, prefix="take"):
    """A consultant takes case `case` from the group's alert."""

    case: RowId


class AddressCb(CallbackData, prefix="to"):
    """A consultant holding several cases says which one the message they just wrote is for: the bot's
    question is a Reply to that message, so the message travels with the tap, never a guess."""

    case: RowId


class CloseCb(CallbackData, prefix="close"):
    """A consultant closes case `case` with `outcome`, one of services.desk.OUTCOMES (checked there: a
    forged outcome is refused and written to the audit log, like any other refused action)."""

    case: RowId
    outcome: str


class ChecklistAction(StrEnum):
    """What a checklist button does (the wire values are in people's chats: never change them)."""

    SHOW = "show"  # the checklist (id = a phase)
    TAP = "tap"  # an item in the list (id = item)
    TICK = "tick"  # done / not done, from the item's own screen
    DONE = "done"  # done, from a reminder
    MUTE = "mute"  # no reminders for the item (n = 1: from the reminders list)
    UNMUTE = "unmute"
    PAID_ASK = "paid?"  # how many months were paid (n = 1: how many in all, for a payment not recorded)
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
    n: Small = 0


class CalendarAction(StrEnum):
    OPEN = "open"
    MONTH = "m"  # v = YYYYMM
    DAY = "d"  # v = YYYYMMDD
    CANCEL = "x"
    NOOP = "noop"  # a label: the month's name, a weekday, an empty cell
    TYPED = "t"  # v = YYYYMMDD: a date typed outside the calendar, for the field the person chose


class CalCb(CallbackData, prefix="cal"):
    """The calendar for a date: f = dep | arr | an item id; a = open | m (month v=YYYYMM) | d (day v=YYYYMMDD) | x | noop."""

    f: str
    a: CalendarAction
    v: str = ""


class AgencyAction(StrEnum):
    """What an agency-check button does; the values are on buttons already sent, so they never change."""

    SHOW = "id"  # show agency `id`
    NONE = "none"  # none of the matches
    NEW = "new"  # check another
    REPORT = "rep"  # report the agency in view
    NO_CONTACT = "nocontact"
    SEND = "send"
    CANCEL = "cancel"  # the report
    HARM_MONEY = "hm"  # the report: they took the person's money
    HARM_DOCS = "hd"  # they keep the person's passport or documents
    HARM_BOTH = "hb"
    HARM_NONE = "hn"
    WHY = "why"  # why the verdict's signs are warning signs (id = the flags, a bit each in question order)
    WHERE = "where"  # where to check an agency officially, in each home country
    TEMPLATE = "tpl"  # admins: the registry template (.xlsx)


class AgencyCb(CallbackData, prefix="ag"):
    """The agency check: `a` what to do, `id` the agency to show (SHOW only)."""

    a: AgencyAction
    id: RowId = 0


class FlagAction(StrEnum):
    """A red-flag question's button: start the questions, or an answer (the values of redflags.Reply)."""

    GO = "go"
    YES = "y"
    NO = "n"
    UNSURE = "u"
    NOT_ABROAD = "x"  # "if you are already abroad": not yet (counts as no sign)
    BACK = "b"  # back to the question before `q`


class FlagCb(CallbackData, prefix="rf"):
    """The red-flag questions: question `q` (0-based) answered `a` (y, n, u), or `a` = "go" to start."""

    q: Small
    a: FlagAction


class BcAction(StrEnum):
    LANG = "lang"
    CIT = "cit"
    DST = "dst"
    GO = "go"
    DROP = "drop"
    STOP = "stop"
    WHEN = "when"  # v: now, 1h (in an hour), 9am (tomorrow at 09:00, the admins' time), type (a typed time)


class BcCb(CallbackData, prefix="bc"):
    """A broadcast being prepared: lang / cit / dst (v = a code, chosen or taken off), when (v = the time),
    go, drop; stop (v = its number)."""

    a: BcAction
    v: str = ""


class StatsAction(StrEnum):
    SHOW = "show"
    CSV = "csv"  # the totals and the series by day, as two CSV files
    XLSX = "xlsx"  # the same, as one Excel workbook
    PDF = "pdf"  # the report for the period (a month, for donors), in the admin's language
    PDF_EN = "pdfen"  # the same, in English


class StatsCb(CallbackData, prefix="st"):
    """Figures for admins: show (a period, s..e as YYYY-MM-DD), or the same period as files (csv, xlsx)."""

    a: StatsAction
    s: str
    e: str


class CheckinAction(StrEnum):
    HOME = "home"  # the person's check-ins: what is set, and what they can do
    SETUP = "setup"  # set up (again): how often
    EVERY = "every"  # v: 1, 3 or 7 days
    AT = "at"  # v: HHMM
    ZONE = "zone"  # v: an IANA time zone of the choices offered
    CONSENT = "cons"  # v: y (a case may open when missed twice) or n
    SHARE = "share"  # v: place, citizenship or workplace: on or off
    CONFIRM = "go"  # start with what the confirmation showed
    OK = "ok"  # "I'm OK", on a check-in question
    PAUSE = "pause"
    RESUME = "resume"
    WITHDRAW = "nocase"  # the consent withdrawn: missed check-ins never open a case
    STOP = "stop"  # v: "" asks, y stops


class CheckinCb(CallbackData, prefix="ci"):
    """Safety check-ins (bot.handlers.checkin)."""

    a: CheckinAction
    v: str = ""


class ReferPickCb(CallbackData, prefix="rp"):
    """A consultant picks the partner team to refer a case to (bot.handlers.referral)."""

    case: RowId
    team: Annotated[str, Field(min_length=1, max_length=40)]


class ReferCb(CallbackData, prefix="ref"):
    """The person agrees (yes) or not to a referral of their case to a partner team."""

    id: RowId
    yes: bool
