"""Callback data factories: one prefix each, all well under Telegram's 64-byte limit."""

from __future__ import annotations

from enum import Enum

from aiogram.filters.callback_data import CallbackData

# A button whose value is not one of an Enum's (an old message, forged data) does not parse: no handler
# takes it, and the fallback (bot.middlewares.fallback) answers it as out of date with the current menu.


class LanguageCb(CallbackData, prefix="lang"):
    code: str


class Section(str, Enum):
    """The main menu's sections, in order, and the menu itself."""

    GUIDE = "guide"
    COUNTRIES = "countries"
    CHECKLIST = "checklist"
    CONTACTS = "contacts"
    AGENCY = "agency"
    RISK = "risk"
    CONSULT = "consult"
    PROFILE = "profile"
    LANGUAGE = "language"
    HELP = "help"
    MENU = "menu"


class MenuCb(CallbackData, prefix="m"):
    section: Section


class ProfileStep(str, Enum):
    CITIZENSHIP = "cit"
    DESTINATION = "dst"


class ProfileCb(CallbackData, prefix="pf"):
    step: ProfileStep
    value: str  # ISO code, "other" or "skip"


class ForgetCb(CallbackData, prefix="forget"):
    confirm: bool


# Sections of the main menu, in order.
SECTIONS: tuple[str, ...] = tuple(section.value for section in Section if section is not Section.MENU)


class GuideKind(str, Enum):
    HOME = "home"  # the group list
    GROUP = "grp"
    TOPIC = "top"  # a topic's page
    COUNTRY = "cty"  # a country guide
    COUNTRIES = "cties"  # the country list


class GuideCb(CallbackData, prefix="g"):
    """The guidance: the group list, a group, a topic page, a country guide, the country list."""

    kind: GuideKind
    id: str = ""
    page: int = 0


class ContactsBy(str, Enum):
    HOME = "home"
    COUNTRY = "c"
    NEED = "n"


class ContactsCb(CallbackData, prefix="ct"):
    by: ContactsBy
    value: str = ""


class SelfcheckAction(str, Enum):
    """Start the self-check, or answer a question (the values of bot.services.selfcheck.Answer)."""

    GO = "go"
    YES = "y"
    NO = "n"
    UNSURE = "u"
    SKIP = "s"


class SelfcheckCb(CallbackData, prefix="scr"):
    """The self-check: question `q` (0-based) answered `a`, or `a` = go to start."""

    q: int
    a: SelfcheckAction


class EscCb(CallbackData, prefix="esc"):
    """Asking for a consultant: start (value = kind), agree, share (y/n), skip, lang (code), user (y/n), cancel."""

    step: str
    value: str = ""


class TakeCb(CallbackData, prefix="take"):
    case: int


class CloseCb(CallbackData, prefix="close"):
    case: int
    outcome: str


class CheckCb(CallbackData, prefix="ck"):
    """The checklist: show (id = phase), tap / tick / done / mute / unmute / paid? (id = item),
    paid / paidall (n = months), dates, rem (the reminders), on / off (all reminders)."""

    a: str
    id: str = ""
    n: int = 0


class CalCb(CallbackData, prefix="cal"):
    """The calendar for a date: f = dep | arr | an item id; a = open | m (month v=YYYYMM) | d (day v=YYYYMMDD) | x | noop."""

    f: str
    a: str
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
