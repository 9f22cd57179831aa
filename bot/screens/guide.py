"""The guidance screens: text and buttons for a group, a topic page, a country guide and the contacts.

Built from the content in the current locale; the handlers, deep links and search all show these.
Every screen that states facts ends with the date they were checked and where they come from.
"""

from __future__ import annotations

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
from bot.content import Content, Fact
from bot.models import OTHER_COUNTRY, User
from bot.screens import keyboards
from bot.screens.common import Screen, button, column, flagged, nav, with_sources

NEED_LABELS = {
    "emergency": __("🚨 Emergency: police, ambulance"),
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
    rows.append(nav(back))
    text = with_sources(f"{header}\n\n{rendered.text}", rendered.facts, locale)
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


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
def _contact_lines(content: Content, locale: str, entries: list[tuple[str, Fact]]) -> list[str]:
    texts = content.languages[locale].contacts
    lines = []
    for fact_id, fact in entries:
        contact = texts[fact_id]
        line = f"• <b>{escape(fact.value)}</b> — {escape(contact.name)}"
        if contact.note:
            line += f"\n   <i>{escape(contact.note)}</i>"
        lines.append(line)
    return lines


def _by_country(content: Content, locale: str, entries: list[tuple[str, Fact]]) -> tuple[list[str], list[Fact]]:
    lines: list[str] = []
    for code in dict.fromkeys(fact.country for _id, fact in entries if fact.country):
        lines.append(f"\n<b>{flagged(code)}</b>")
        lines.extend(_contact_lines(content, locale, [(i, f) for i, f in entries if f.country == code]))
    return lines, [fact for _id, fact in entries]


def contacts_home(content: Content, locale: str, user: User | None) -> Screen:
    destination = user.destination if user is not None else None
    lines = [_("<b>Hotlines and contacts</b>")]
    if destination in content.contact_countries():
        entries = content.contacts(country=destination)
        lines.append(f"<b>{flagged(destination)}</b>")
        lines.extend(_contact_lines(content, locale, entries))
        facts = [fact for _id, fact in entries]
    else:
        lines.append(_("If you are in danger, call the emergency number of the country you are in:"))
        more, facts = _by_country(content, locale, content.contacts(need="emergency"))
        lines.extend(more)
    buttons = [button(flagged(code), ContactsCb(by=ContactsBy.COUNTRY, value=code).pack()) for code in content.contact_countries()]
    buttons += [button(str(label), ContactsCb(by=ContactsBy.NEED, value=need).pack()) for need, label in NEED_LABELS.items()
                if content.contacts(need=need)]
    return Screen(with_sources("\n".join(lines), facts, locale), column(buttons, nav(None)))


def contacts_for_country(content: Content, locale: str, code: str) -> Screen:
    entries = content.contacts(country=code)
    lines = [f"<b>☎️ {flagged(code)}</b>", *_contact_lines(content, locale, entries)]
    markup = column([], nav(ContactsCb(by=ContactsBy.HOME).pack()))
    return Screen(with_sources("\n".join(lines), [f for _i, f in entries], locale), markup)


def contacts_for_need(content: Content, locale: str, need: str) -> Screen:
    lines, facts = _by_country(content, locale, content.contacts(need=need))
    text = f"<b>{NEED_LABELS[need]}</b>" + "\n".join(lines)
    return Screen(with_sources(text, facts, locale), column([], nav(ContactsCb(by=ContactsBy.HOME).pack())))


def urgent_contacts(content: Content, locale: str, destination: str | None) -> tuple[str, list[Fact]]:
    """The numbers to call now: for the person's destination, or the emergency numbers of every country."""
    if destination in content.contact_countries():
        entries = [e for e in content.contacts(country=destination)
                   if {"emergency", "trafficking"} & set(content.guide.contacts[e[0]].needs)]
        lines = [f"<b>{flagged(destination)}</b>", *_contact_lines(content, locale, entries)]
        return "\n".join(lines), [f for _i, f in entries]
    lines, facts = _by_country(content, locale, content.contacts(need="emergency"))
    return "\n".join(lines).strip(), facts


def urgent_text(content: Content, locale: str, destination: str | None) -> str:
    body, facts = urgent_contacts(content, locale, destination)
    return with_sources(_("<b>If you are in danger, call now:</b>") + "\n" + body, facts, locale)

