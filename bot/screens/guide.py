"""The guidance screens: text and buttons for a group, a topic page, a country guide and the contacts.

Built from the content in the current locale; the handlers, deep links and search all show these.
Every screen that states facts ends with the date they were checked and where they come from.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.callbacks import (
    ChecklistAction,
    ChecklistCb,
    ContactsBy,
    ContactsCb,
    GuideCb,
    GuideKind,
    MenuCb,
    Section,
)
from bot.content import Content, Fact, format_day, source_label
from bot.models import CITIZENSHIPS, DESTINATIONS, OTHER_COUNTRY, User
from bot.screens import keyboards
from bot.screens.common import Screen, button, by_source, column, flagged, nav, with_sources

NEED_LABELS = {
    "emergency": __("🚨 Emergency: police, ambulance"),
    "consulate": __("🏛 Embassies and consulates"),
    "home": __("🏠 Lines of your home country"),
    "trafficking": __("🆘 Trafficking, violence"),
    "labour": __("💼 Work: wages, employer"),
    "migration": __("🛂 Migration: stay, documents"),
}


# -- the guidance ---------------------------------------------------------------------------
def guide_home(content: Content, locale: str) -> Screen:
    texts = content.languages[locale]
    text = _(
        "<b>Safe migration: what to know</b>\n"
        "Choose a topic. Country rules and deadlines are under «Countries»."
    )
    buttons = [button(title, GuideCb(kind=GuideKind.GROUP, id=group).pack()) for group, title in texts.groups.items()]
    buttons.append(button(keyboards.section_label("countries"), MenuCb(section=Section.COUNTRIES).pack()))
    buttons.append(button(keyboards.section_label("contacts"), MenuCb(section=Section.CONTACTS).pack()))
    return Screen(text, column(buttons, nav(None)))


def group(content: Content, locale: str, group_id: str) -> Screen:
    texts = content.languages[locale]
    buttons = [button(texts.topics[t].title, GuideCb(kind=GuideKind.TOPIC, id=t).pack()) for t in content.guide.groups[group_id]]
    return Screen(f"<b>{escape(texts.groups[group_id])}</b>", column(buttons, nav(GuideCb(kind=GuideKind.HOME).pack())))


def topic(content: Content, locale: str, topic_id: str, page: int, user: User | None = None) -> Screen:
    entry = content.topic(locale, topic_id)
    total = len(entry.pages)
    page = min(max(page, 0), total - 1)
    rendered = content.topic_page(locale, topic_id, page)
    header = f"<b>{escape(entry.title)}</b>" + (f" ({page + 1}/{total})" if total > 1 else "")
    limited = content.citizenships_of(topic_id)
    if limited and (user is None or user.citizenship not in limited):
        names = ", ".join(keyboards.country_name(code) for code in limited)
        header += "\n<i>" + _("For citizens of: {countries}").format(countries=names) + "</i>"
    rows: list[list[InlineKeyboardButton]] = []
    if total > 1:
        pager = []
        if page > 0:
            pager.append(button(_("◀️ Previous"), GuideCb(kind=GuideKind.TOPIC, id=topic_id, page=page - 1).pack()))
        if page < total - 1:
            pager.append(button(_("Next ▶️"), GuideCb(kind=GuideKind.TOPIC, id=topic_id, page=page + 1).pack()))
        rows.append(pager)
    parent = content.parents.get(topic_id)
    back = None
    if parent is not None and parent.kind == "group":
        back = GuideCb(kind=GuideKind.GROUP, id=parent.id).pack()
    elif parent is not None:
        back = GuideCb(kind=GuideKind.COUNTRY, id=parent.id).pack()
        rows.append([button(_("☎️ Phones: {country}").format(country=keyboards.country_name(parent.id)),
                             ContactsCb(by=ContactsBy.COUNTRY, value=parent.id).pack())])
    if topic_id in ("documents_taken", "wages_unpaid", "locked_threatened"):
        rows.append([button(keyboards.section_label("consult"), MenuCb(section=Section.CONSULT).pack())])
    if rendered.facts:  # the line under the page names a few: all of them, one tap away
        rows.append([button(_("📎 All sources"), GuideCb(kind=GuideKind.SOURCES, id=topic_id, page=page).pack())])
    rows.append(nav(back))
    text = with_sources(f"{header}\n\n{rendered.text}", rendered.facts, locale)
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def sources(content: Content, locale: str, topic_id: str, page: int) -> Screen:
    """Every source a topic's page rests on: the page (a link), the date it gives, and when it was checked."""
    entry = content.topic(locale, topic_id)
    page = min(max(page, 0), len(entry.pages) - 1)
    lines = [_("<b>📎 Sources: {title}</b>").format(title=escape(entry.title))]
    for source, fact in by_source(content.topic_page(locale, topic_id, page).facts).items():
        label = escape(source_label(source))
        shown = f'<a href="{escape(source)}">{label}</a>' if source.startswith(("http://", "https://")) else escape(source)
        lines.append("• " + _("{source}; its date: {date}; checked: {checked}").format(
            source=shown, date=fact.source_date, checked=format_day(fact.verified_on, locale)))
    rows = [[button(_("⬅️ Back"), GuideCb(kind=GuideKind.TOPIC, id=topic_id, page=page).pack())], [keyboards.menu_button()]]
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def country(content: Content, locale: str, code: str, user: User | None) -> Screen:
    texts = content.languages[locale]
    citizenship = user.citizenship if user is not None and user.citizenship != OTHER_COUNTRY else None
    shown = [e.topic for e in content.guide.countries[code] if content.topic_applies(e.topic, citizenship)]
    lines = [f"<b>{flagged(code)}</b>"]
    if citizenship is not None:
        lines.append(_("Your citizenship: {country}.").format(country=keyboards.country_name(citizenship)))
    else:
        lines.append(_("Rules differ by citizenship. Tell us yours to see only what applies to you."))
    buttons = [button(texts.topics[t].title, GuideCb(kind=GuideKind.TOPIC, id=t).pack()) for t in shown]
    if user is not None and user.destination == code and code in content.checklists.countries:
        buttons.insert(0, button(keyboards.section_label("checklist"), ChecklistCb(a=ChecklistAction.SHOW).pack()))
    buttons.append(button(_("☎️ Phones: {country}").format(country=keyboards.country_name(code)),
                           ContactsCb(by=ContactsBy.COUNTRY, value=code).pack()))
    buttons.append(button(_("🌍 Other countries"), GuideCb(kind=GuideKind.COUNTRIES).pack()))
    buttons.append(button(_("👤 Change my country"), MenuCb(section=Section.PROFILE).pack()))
    return Screen("\n".join(lines), column(buttons, nav(None)))


def countries(content: Content) -> Screen:
    buttons = [button(flagged(code), GuideCb(kind=GuideKind.COUNTRY, id=code).pack()) for code in content.guide.countries]
    return Screen(_("<b>Countries: rules and deadlines</b>\nChoose a country:"), column(buttons, nav(None)))


def ask_profile_for_countries() -> Screen:
    text = _(
        "<b>Countries: rules and deadlines</b>\n"
        "Rules depend on your citizenship. Which country are you a citizen of?"
    )
    return Screen(text, keyboards.citizenship_choices())


# -- contacts -------------------------------------------------------------------------------
def _contact_lines(content: Content, locale: str, entries: list[tuple[str, Fact]], *, notes: bool = True) -> list[str]:
    """One line a number; `notes=False` for the numbers to call now (hours and languages are on /contacts)."""
    texts = content.languages[locale].contacts
    if not notes:  # numbers of the same place under one name (an embassy's two lines) share a line
        named: dict[str, list[str]] = {}
        for fact_id, fact in entries:
            named.setdefault(texts[fact_id].name, []).append(f"<b>{escape(fact.value)}</b>")
        return [f"• {', '.join(values)} — {escape(name)}" for name, values in named.items()]
    lines: dict[str, str] = {}  # by name: an embassy's second number joins its first line
    for fact_id, fact in entries:
        contact = texts[fact_id]
        if contact.name in lines:
            head, _sep, rest = lines[contact.name].partition(" — ")
            lines[contact.name] = f"{head}, <b>{escape(fact.value)}</b> — {rest}"
            continue
        line = f"• <b>{escape(fact.value)}</b> — {escape(contact.name)}"
        if contact.note:
            line += f"\n   <i>{escape(contact.note)}</i>"
        lines[contact.name] = line
    return list(lines.values())


def _by_country(
    content: Content, locale: str, entries: list[tuple[str, Fact]], *, notes: bool = True,
) -> tuple[list[str], list[Fact]]:
    lines: list[str] = []
    for code in dict.fromkeys(fact.country for _id, fact in entries if fact.country):
        lines.append(f"\n<b>{flagged(code)}</b>")
        lines.extend(_contact_lines(content, locale, [(i, f) for i, f in entries if f.country == code], notes=notes))
    return lines, [fact for _id, fact in entries]


@dataclass(frozen=True, slots=True)
class Where:
    """Whose numbers to show: for the place the person is (or goes to), and their citizenship (their embassy
    there, their home country's lines)."""

    place: str | None = None
    citizenship: str | None = None

    @classmethod
    def of(cls, user: User | None) -> Where:
        return cls(user.place, user.citizenship) if user is not None else cls()


def ask_place(content: Content, locale: str, user: User | None) -> Screen:
    """Where are you now? Asked once, before the full list of numbers; changeable. The emergency numbers
    come with the question (of the destination, when known), so asking never delays a call."""
    home = (user.citizenship,) if user is not None and user.citizenship in CITIZENSHIPS else CITIZENSHIPS
    buttons = [button(_("🏠 At home: {country}").format(country=flagged(code)), ContactsCb(by=ContactsBy.AT, value=code).pack())
               for code in home]
    buttons += [button(flagged(code), ContactsCb(by=ContactsBy.AT, value=code).pack()) for code in DESTINATIONS]
    buttons.append(button(_("🌍 Somewhere else"), ContactsCb(by=ContactsBy.AT, value=OTHER_COUNTRY).pack()))
    destination = user.destination if user is not None else None
    emergency = content.contacts(country=destination, need="emergency") if destination in content.contact_countries() else []
    if emergency:
        numbers, facts = [f"\n<b>🚨 {flagged(destination or '')}</b>", *_contact_lines(content, locale, emergency)], [f for _i, f in emergency]
    else:
        numbers, facts = _by_country(content, locale, content.contacts(need="emergency"))
    text = _("<b>Hotlines and contacts</b>\n📍 Where are you now? The numbers will be for that country.") + "\n" + "\n".join(numbers)
    return Screen(with_sources(text, facts, locale), column(buttons, nav(None)))


def contacts_home(content: Content, locale: str, user: User | None) -> Screen:
    """The numbers for where the person is: the country's lines and their embassy there, then their home
    country's lines that work from abroad (at home: the home lines). Asked first when it is not known."""
    if user is None or user.location is None:
        return ask_place(content, locale, user)
    where = Where(user.location, user.citizenship)
    lines = [_("<b>Hotlines and contacts</b>")]
    more, facts = _numbers_at(content, locale, where)
    lines += more
    buttons = [button(_("📍 I am somewhere else"), ContactsCb(by=ContactsBy.AT, value="?").pack())]
    buttons += [button(flagged(code), ContactsCb(by=ContactsBy.COUNTRY, value=code).pack())
                for code in content.contact_countries() if code != user.location]
    buttons += [button(str(label), ContactsCb(by=ContactsBy.NEED, value=need).pack()) for need, label in NEED_LABELS.items()
                if content.contacts(need=need, citizenship=user.citizenship)]
    return Screen(with_sources("\n".join(lines), facts, locale), column(buttons, nav(None)))


def _numbers_at(
    content: Content, locale: str, where: Where, needs: set[str] | None = None, *, notes: bool = True,
) -> tuple[list[str], list[Fact]]:
    """The lines for a place (only `needs`, when given; an embassy always), then the home country's lines."""
    place, citizenship = where.place, where.citizenship
    if place is None or place == OTHER_COUNTRY or place not in content.contact_countries():
        lines = [_("If you are in danger, call the emergency number of the country you are in:")]
        more, facts = _by_country(content, locale, content.contacts(need="emergency"), notes=notes)
        return lines + more, facts
    keep = None if needs is None else needs | {"consulate"}  # their embassy, whatever the need
    here = [(i, f) for i, f in content.contacts(country=place, citizenship=citizenship)
            if keep is None or keep & set(content.guide.contacts[i].needs)]
    lines = [f"<b>📍 {flagged(place)}</b>", *_contact_lines(content, locale, here, notes=notes)]
    home: list[tuple[str, Fact]] = []
    if citizenship in CITIZENSHIPS and citizenship != place:  # abroad: the home lines that can be called from there
        home = [(i, f) for i, f in content.contacts(country=citizenship, need="home", citizenship=citizenship) if f.value.startswith("+")]
        if home:
            lines += ["", _("<b>🏠 {country}: lines for citizens abroad</b>").format(country=flagged(citizenship)),
                      *_contact_lines(content, locale, home, notes=notes)]
    return lines, [f for _i, f in here + home]


def contacts_for_country(content: Content, locale: str, code: str, citizenship: str | None = None) -> Screen:
    entries = content.contacts(country=code, citizenship=citizenship)
    lines = [f"<b>☎️ {flagged(code)}</b>", *_contact_lines(content, locale, entries)]
    markup = column([], nav(ContactsCb(by=ContactsBy.HOME).pack()))
    return Screen(with_sources("\n".join(lines), [f for _i, f in entries], locale), markup)


def contacts_for_need(content: Content, locale: str, need: str, citizenship: str | None = None) -> Screen:
    lines, facts = _by_country(content, locale, content.contacts(need=need, citizenship=citizenship))
    text = f"<b>{NEED_LABELS[need]}</b>" + "\n".join(lines)
    return Screen(with_sources(text, facts, locale), column([], nav(ContactsCb(by=ContactsBy.HOME).pack())))


def urgent_contacts(content: Content, locale: str, where: Where) -> tuple[str, list[Fact]]:
    """The numbers to call now: emergency and trafficking lines where the person is, their embassy there, and
    their home country's lines from abroad; at home, their home lines; not knowing where, every country's
    emergency number."""
    entries = content.contacts(country=where.place, citizenship=where.citizenship) if where.place == where.citizenship else []
    if where.place is not None and entries:
        lines = [f"<b>🏠 {flagged(where.place)}</b>", *_contact_lines(content, locale, entries, notes=False)]
        return "\n".join(lines), [f for _i, f in entries]
    lines, facts = _numbers_at(content, locale, where, needs={"emergency", "trafficking"}, notes=False)
    return "\n".join(lines).strip(), facts


def urgent_text(content: Content, locale: str, where: Where) -> str:
    body, facts = urgent_contacts(content, locale, where)
    return with_sources(_("<b>If you are in danger, call now:</b>") + "\n" + body, facts, locale)

