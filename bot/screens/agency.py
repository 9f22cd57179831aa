"""The agency check's screens: a registry result, close matches, not found, the red-flag questions and
their verdict, a report, and the admins' registry screens. Rendered in the current locale.

A result always says what the status means and what to do; "not found" is never worded as "safe".
"""

from __future__ import annotations

from html import escape

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel import Locale

from bot.callbacks import (
    AgencyAction,
    AgencyCb,
    ConsultCb,
    ConsultStep,
    ContactsBy,
    ContactsCb,
    FlagAction,
    FlagCb,
    MenuCb,
    Section,
)
from bot.content import Content, Fact, format_day
from bot.models import DESTINATIONS, Agency, Report, Snapshot, User
from bot.screens import common, guide, keyboards
from bot.screens.common import Screen
from bot.screens.guide import Where
from bot.services.agency import REASONS, Found, Match, Problem, ReportDraft, Standing
from bot.services.redflags import FLAG_IDS, FLAGS, Assessment, Reply, Verdict

STATUS_ICONS = {"active": "✅", "expired": "❌", "suspended": "⛔", "revoked": "⛔", "not_found": "❓", "unchecked": "❔"}
STATUS_NAMES = {
    "active": __("permit valid"),
    "expired": __("permit expired"),
    "suspended": __("permit suspended"),
    "revoked": __("permit revoked"),
    "not_found": __("not found in the registry"),
    "unchecked": __("not checked in the registry"),
}
QUESTIONS = {
    "prepay": __("Did they ask you to pay before you signed a contract: for the job, the visa or the «paperwork»?"),
    "passport": __("Did they take your passport, or ask to keep it?"),
    "contract": __("Is there no written contract, or is it in a language you cannot read?"),
    "salary": __("Is the pay much higher than usual for this work, with no skills or language needed?"),
    "rush": __("Are they pushing you to decide, pay or leave quickly?"),
    "tourist_visa": __("Do they tell you to go on a tourist visa, or without a work permit, and «sort it out there»?"),
    "no_permit": __("Did they refuse to show their permit or licence number, or their office?"),
    "job_changed": __("If you are already abroad: is the job, the pay or the employer different from what was promised?"),
}
REASONS_SHOWN = {  # why a "yes" is a red flag, in plain words
    "prepay": __("Money before a contract is a common sign of fraud. An honest agency explains every fee in writing."),
    "passport": __("No one may keep your passport. Keeping it is a sign of forced labour."),
    "contract": __("Without a contract you can read, you have no proof of what was promised."),
    "salary": __("Pay far above the usual, with no skills asked, is a common bait."),
    "rush": __("Pressure to hurry leaves you no time to check. An honest offer can wait a few days."),
    "tourist_visa": __("On a tourist visa you cannot work legally: you risk a fine, deportation and a ban, with no protection."),
    "no_permit": __("A legal agency has a permit and shows its number. Check it here."),
    "job_changed": __("A job or pay other than promised is deception, a sign of forced labour."),
}
FLAG_NAMES = {  # short names, for "find out" and for the consultant
    "prepay": __("money before a contract"),
    "passport": __("passport kept"),
    "contract": __("no contract you can read"),
    "salary": __("pay too good"),
    "rush": __("pressure to hurry"),
    "tourist_visa": __("tourist visa for work"),
    "no_permit": __("no permit shown"),
    "job_changed": __("job changed after arrival"),
}
REPLY_LABELS = {Reply.YES: __("✅ Yes"), Reply.NO: __("❌ No"), Reply.UNSURE: __("❔ Not sure")}
WHERE_FACTS = ("kg_agency_list_on_ministry_site", "kg_agency_check_centre_site", "uz_agency_violations_xorijda_ish")


def _button(text: str, data: CallbackData) -> list[InlineKeyboardButton]:
    return [common.button(text, data.pack())]


def _markup(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[row for row in rows if row])


def place_name(code: str) -> str:
    """Our own names for the countries the bot covers; Babel's, in the person's language, for the rest."""
    if code in keyboards.COUNTRY_NAMES:
        return keyboards.country_name(code)
    try:
        return Locale.parse(get_i18n().current_locale).territories.get(code, code)
    except (ValueError, LookupError):
        return code


def places(codes: tuple[str, ...]) -> str:
    return ", ".join(f"{common.FLAGS.get(c, '')} {place_name(c)}".strip() for c in codes)


def _lists_line(snapshots: dict[str, Snapshot], locale: str) -> str:
    if not snapshots:
        return _("No lists of licensed agencies are loaded yet.")
    listed = ", ".join(
        _("{country} (as of {date})").format(country=common.flagged(s.country), date=format_day(s.source_date, locale))
        for s in snapshots.values()
    )
    return _("Lists we check: {lists}").format(lists=listed)


def _sample_warning(snapshots: list[Snapshot]) -> str:
    if any(s.sample for s in snapshots):
        return _("🧪 <b>TEST DATA.</b> This is a sample list for trying the bot out, not the official registry.")
    return ""


def intro(snapshots: dict[str, Snapshot], locale: str) -> Screen:
    parts = [
        _("<b>🏢 Check a recruitment agency</b>"),
        _("Type the agency's name or its permit number. Any alphabet; mistakes are fine."),
        _lists_line(snapshots, locale),
        _("Or answer 8 quick questions about what the agency asks of you."),
    ]
    parts.append(_sample_warning(list(snapshots.values())))
    markup = _markup(_button(_("🚩 8 questions about the offer"), FlagCb(q=0, a=FlagAction.GO)), [keyboards.menu_button()])
    return Screen("\n\n".join(p for p in parts if p), markup)


def ask_again() -> Screen:
    text = _("Type the agency's name or its permit number.")
    return Screen(text, _markup([keyboards.menu_button()]))


def too_vague() -> Screen:
    text = _(
        "Please type the agency's own name, as on its sign or contract (often the words in quotes), "
        "or its permit number. Words like «agency» or «job» are in too many names."
    )
    return Screen(text, _markup([keyboards.menu_button()]))


def _next_buttons(agency_known: bool, status: str) -> list[list[InlineKeyboardButton]]:
    rows = [_button(_("🚩 Check their offer: 8 questions"), FlagCb(q=0, a=FlagAction.GO))]
    rows.append(_button(_("📣 Report this agency") if agency_known else _("📣 Report an agency"), AgencyCb(a=AgencyAction.REPORT)))
    if status != "active":
        rows.append(_button(keyboards.section_label("consult"), ConsultCb(step=ConsultStep.START, value="agency")))
    rows.append(_button(_("🔎 Check another agency"), AgencyCb(a=AgencyAction.NEW)))
    rows.append([keyboards.menu_button()])
    return rows


def status_lines(standing: Standing, locale: str) -> list[str]:
    """The status, what it means and what to do."""
    status = standing.status
    if status == "active":
        head = (_("✅ <b>Licensed until {date}</b>").format(date=format_day(standing.until, locale)) if standing.until
                else _("✅ <b>Licensed</b> (the list gives no end date)"))
        meaning = _("<b>What it means:</b> the agency is on the official list. That is good, but it is not a guarantee.")
        todo = _(
            "<b>Before you pay or leave:</b>\n"
            "• get a written contract in a language you read;\n"
            "• pay only against a receipt;\n"
            "• never give your passport to anyone."
        )
    elif status == "expired":
        head = (_("❌ <b>Permit expired on {date}</b>").format(date=format_day(standing.until, locale)) if standing.until
                else _("❌ <b>Permit expired</b>"))
        meaning = _("<b>What it means:</b> the agency may not recruit or send people abroad now.")
        todo = _(
            "<b>What to do:</b> do not pay and do not give your documents. Ask the agency for its new permit "
            "and check it here. If you have already paid, talk to a consultant."
        )
    elif status == "suspended":
        head = _("⛔ <b>Permit suspended</b>")
        meaning = _("<b>What it means:</b> the state has stopped this agency's work for now. It may not send people abroad.")
        todo = _(
            "<b>What to do:</b> do not pay and do not sign anything. If you have paid or given documents, "
            "report the agency and talk to a consultant."
        )
    else:
        head = _("⛔ <b>Permit revoked</b>")
        meaning = _(
            "<b>What it means:</b> the agency has lost its permit and may not recruit. "
            "Anyone who recruits in its name breaks the law."
        )
        todo = _(
            "<b>What to do:</b> do not pay, do not give documents, do not travel with it. "
            "If you have paid, report it and talk to a consultant."
        )
    return [head, meaning, todo]


def card(agency: Agency, standing: Standing, match: Match | None, typed: str | None, user: User, locale: str) -> Screen:
    lines = [f"🏢 <b>{escape(agency.name)}</b>"]
    if agency.aliases:
        lines.append(_("Also written: {names}").format(names=escape(", ".join(agency.aliases[:2]))))
    where = _("{country} registry").format(country=common.flagged(agency.country))
    if agency.permit:
        where += " · " + _("permit No. {number}").format(number=escape(agency.permit))
    lines.append(where)
    if agency.authority:
        lines.append(_("Issued by: {authority}").format(authority=escape(agency.authority)))
    head, meaning, todo = status_lines(standing, locale)
    lines += ["", head]
    if agency.destinations:
        lines.append(_("For work in: {countries}").format(countries=places(agency.destinations)))
        if (standing.status == "active" and user.destination and user.destination in keyboards.COUNTRY_NAMES
                and user.destination not in agency.destinations):
            lines.append(_("⚠️ Its permit does not cover {country}: it may not send you there.").format(
                country=place_name(user.destination)))
    contacts = [f"{icon} {escape(value)}" for icon, value in (("☎️", agency.phone), ("📍", agency.address), ("🌐", agency.website)) if value]
    if contacts:
        lines.append(" · ".join(contacts))
    if agency.note:  # as the registry gives it
        lines.append(f"📝 {escape(agency.note)}")
    lines += ["", meaning, todo]
    if match is not None and not match.exact and typed:
        lines += ["", _("ℹ️ You typed «{typed}». Make sure it is the same agency: compare its permit number and "
                        "address with what they showed you.").format(typed=escape(typed))]
    notes = [_sample_warning([standing.snapshot])]
    if standing.stale:
        notes.append(_("⚠️ This list is from {date}: it may have changed since.").format(
            date=format_day(standing.snapshot.source_date, locale)))
    lines += [n for n in notes if n]
    lines.append("<i>" + _("📋 Source: {source}, list of {date}").format(
        source=escape(standing.snapshot.source), date=format_day(standing.snapshot.source_date, locale)) + "</i>")
    return Screen("\n".join(lines), _markup(*_next_buttons(True, standing.status)))


def choices(found: Found, standings: dict[int, Standing]) -> Screen:
    if len(found.choices) == 1:
        text = _("Is this the agency you mean? Tap it to see its status.")
    else:
        text = _("Several agencies have similar names. Which one is it? Tap it to see its status.")
    rows = []
    for match in found.choices:
        agency = match.agency
        icon = STATUS_ICONS[standings[agency.id].status]
        label = f"{icon} {agency.name} · {common.FLAGS.get(agency.country, '')}"
        rows.append(_button(label[:60], AgencyCb(a=AgencyAction.SHOW, id=agency.id)))
    rows.append(_button(_("None of these"), AgencyCb(a=AgencyAction.NONE)))
    rows.append([keyboards.menu_button()])
    return Screen(f"🔎 {text}", _markup(*rows))


def not_found(typed: str, snapshots: dict[str, Snapshot], content: Content, locale: str) -> Screen:
    parts = [
        _("❓ <b>«{typed}» is not in the lists we have.</b>").format(typed=escape(typed[:100])),
        _lists_line(snapshots, locale),
        _("<b>This does not mean the agency is safe.</b> It may work without a permit, or under another name."),
        _(
            "<b>What to do:</b>\n"
            "1. Ask the agency for its permit number and its exact name as on the permit.\n"
            "2. Check again here, by the number.\n"
            "3. Until then, do not pay and do not give your passport."
        ),
        _sample_warning(list(snapshots.values())),
    ]
    rows = [_button(_("🏛 Where to check an agency officially"), AgencyCb(a=AgencyAction.WHERE)), *_next_buttons(False, "not_found")]
    return Screen("\n\n".join(p for p in parts if p), _markup(*rows))


def where_screen(content: Content, locale: str) -> Screen:
    """The official registers of each home country (one tap from "not found": that screen fits a phone)."""
    rows = [_button(_("🔎 Check another agency"), AgencyCb(a=AgencyAction.NEW)), [keyboards.menu_button()]]
    return Screen(where_to_check(content, locale), _markup(*rows))


def where_to_check(content: Content, locale: str) -> str:
    rendered = content.page(locale, "agency_where")
    facts = [*rendered.facts, *(content.facts[f] for f in WHERE_FACTS if f in content.facts)]
    return common.with_sources(rendered.text, facts, locale)


# -- the red-flag questions ------------------------------------------------------------------------------
def question(number: int, agency_name: str | None) -> Screen:
    flag = FLAGS[number]
    counter = _("Question {number} of {count}").format(number=number + 1, count=len(FLAGS))
    about = f"\n🏢 {escape(agency_name)}" if agency_name else ""
    text = f"<i>{counter}</i>{about}\n\n<b>{QUESTIONS[flag.id]}</b>"
    rows = [
        [common.button(str(REPLY_LABELS[r]), FlagCb(q=number, a=FlagAction(r.value)).pack()) for r in (Reply.YES, Reply.NO)],
        _button(str(REPLY_LABELS[Reply.UNSURE]), FlagCb(q=number, a=FlagAction.UNSURE)),
    ]
    if flag.id == "job_changed":  # asked "if you are already abroad"
        rows.append(_button(_("✈️ I am not abroad yet"), FlagCb(q=number, a=FlagAction.NOT_ABROAD)))
    if number > 0:
        rows.append(_button(_("⬅️ Previous question"), FlagCb(q=number, a=FlagAction.BACK)))
    rows.append([keyboards.menu_button()])
    return Screen(text, _markup(*rows))


def verdict_screen(result: Assessment, content: Content, locale: str, where: Where, agency_name: str | None) -> Screen:
    parts = [f"🏢 <b>{escape(agency_name)}</b>"] if agency_name else []
    if result.verdict is Verdict.DANGER:
        parts.append(_(
            "🔴 <b>High risk.</b> These are signs of fraud or of trafficking. "
            "Do not pay, do not give your passport, do not travel with this agency."
        ))
    elif result.verdict is Verdict.CAUTION:
        parts.append(_("🟠 <b>Warning signs.</b> Check everything before you pay or sign."))
    else:
        parts.append(_(
            "🟢 <b>No warning signs in your answers.</b> This does not prove the agency is honest: "
            "still check its permit and get a written contract."
        ))
    if result.flags:  # the signs by name; why each one is a warning is one tap away (the verdict fits a phone)
        parts.append(_("<b>Why:</b>") + "\n" + "\n".join(f"• {FLAG_NAMES[f]}" for f in result.flags))
    if result.unsure:
        parts.append(_("<b>Find out before you pay or leave:</b> {items}.").format(
            items=", ".join(str(FLAG_NAMES[f]) for f in result.unsure)))
    if result.verdict is not Verdict.DANGER:  # high risk: its first line says what not to do, the buttons the rest
        parts.append(_(
            "<b>Next steps:</b>\n"
            "• Check the agency's permit: type its name here.\n"
            "• Get a written contract in a language you read, and keep a copy.\n"
            "• Never give your passport to an agent.\n"
            "• Not sure? Ask a consultant: it is free."
        ))
    facts = _advice_facts(content)
    if result.verdict is Verdict.DANGER:
        # where the person is not known, an agency is usually checked at home: the home country's lines. With
        # none confirmed there, no list of five foreign countries' emergency numbers: /contacts is a tap away.
        place = where.place or where.citizenship
        numbers, numbers_facts = guide.urgent_contacts(content, locale, Where(place, where.citizenship))
        if place is not None and place not in content.contact_countries() and place not in DESTINATIONS:
            numbers_facts = []
        if numbers_facts:
            parts.append(_("<b>If you are in danger, call now:</b>") + "\n" + numbers)
            facts = [*facts, *numbers_facts]  # the advice's own sources first
    text = common.with_sources("\n\n".join(parts), facts, locale)
    rows = []
    if result.flags:
        rows.append(_button(_("❓ Why these are warning signs"), AgencyCb(a=AgencyAction.WHY, id=flag_mask(result.flags))))
    rows += _after_verdict()
    if "job_changed" in result.flags:
        rows.append(_button(keyboards.section_label("risk"), MenuCb(section=Section.RISK)))
    rows.append(_button(keyboards.section_label("contacts"), ContactsCb(by=ContactsBy.HOME)))
    rows.append([keyboards.menu_button()])
    return Screen(text, _markup(*rows))


def flag_mask(flags: tuple[str, ...] | list[str]) -> int:
    """The flags answered "yes", a bit each in question order: small enough for a button."""
    return sum(1 << index for index, flag in enumerate(FLAG_IDS) if flag in flags)


def reasons_screen(mask: int, content: Content, locale: str) -> Screen:
    """Why each sign of a verdict is a warning, in plain words (the verdict itself names them only)."""
    flags = [flag for index, flag in enumerate(FLAG_IDS) if mask & (1 << index)]
    lines = [_("<b>Why these are warning signs</b>"), *(f"• {REASONS_SHOWN[f]}" for f in flags)]
    rows = [*_after_verdict(), [keyboards.menu_button()]]
    return Screen(common.with_sources("\n".join(lines), _advice_facts(content), locale), _markup(*rows))


def _advice_facts(content: Content) -> list[Fact]:
    """What the red-flag advice rests on (IOM's red flags, ILO's indicators), for its sources line."""
    return [content.facts[f] for f in ("iom_red_flags", "ilo_indicators") if f in content.facts]


def _after_verdict() -> list[list[InlineKeyboardButton]]:
    """What the verdict and its reasons offer next: the permit, a report, a consultant."""
    return [
        _button(_("🔎 Check the agency's permit"), AgencyCb(a=AgencyAction.NEW)),
        _button(_("📣 Report this agency"), AgencyCb(a=AgencyAction.REPORT)),
        _button(keyboards.section_label("consult"), ConsultCb(step=ConsultStep.START, value="agency")),
    ]


# -- reports ---------------------------------------------------------------------------------------------
def report_intro() -> Screen:
    text = _(
        "<b>📣 Report an agency</b>\n"
        "Your report goes to the consultants. It helps them warn others and help you.\n\n"
        "What is the agency's name?"
    )
    return Screen(text, _markup(_button(_("❌ Cancel"), AgencyCb(a=AgencyAction.CANCEL))))


def ask_what(agency_name: str) -> Screen:
    text = _(
        "🏢 <b>{name}</b>\n\n"
        "What happened? In a few words: what they promised, what they asked for, how much you paid. "
        "Do not send card numbers or passwords."
    ).format(name=escape(agency_name))
    return Screen(text, _markup(_button(_("❌ Cancel"), AgencyCb(a=AgencyAction.CANCEL))))


def ask_harm() -> Screen:
    """After what happened: the two harms that make a report urgent, as buttons (the consultants see them)."""
    text = _("Did they take your money, or do they keep your passport or other documents?")
    return Screen(text, _markup(
        _button(_("💸 They took my money"), AgencyCb(a=AgencyAction.HARM_MONEY)),
        _button(_("🛂 They keep my documents"), AgencyCb(a=AgencyAction.HARM_DOCS)),
        _button(_("💸🛂 Both"), AgencyCb(a=AgencyAction.HARM_BOTH)),
        _button(_("➖ Neither"), AgencyCb(a=AgencyAction.HARM_NONE)),
        _button(_("❌ Cancel"), AgencyCb(a=AgencyAction.CANCEL)),
    ))


def ask_contact() -> Screen:
    text = _(
        "How can a consultant reach you, if needed? Type a phone number or another contact.\n\n"
        "Or tap the button: then the consultant writes to you only here, in this chat."
    )
    only_here = _button(_("💬 Only here, in this chat"), AgencyCb(a=AgencyAction.NO_CONTACT))
    return Screen(text, _markup(only_here, _button(_("❌ Cancel"), AgencyCb(a=AgencyAction.CANCEL))))


def confirm(draft: ReportDraft, ngo: str) -> Screen:
    status = draft.status or "not_found"
    lines = [
        _("<b>Your report</b>"),
        _("Agency: {name}").format(name=escape(draft.agency))
        + f" ({STATUS_ICONS.get(status, '')} {STATUS_NAMES.get(status, status)})",
        _("What happened: «{text}»").format(text=escape(draft.what or "")),
        _("Contact: {contact}").format(contact=escape(draft.contact)) if draft.contact
        else _("Contact: only here, in this chat"),
    ]
    if draft.harm:
        lines.append(_("They took your money or keep your documents: the consultants see this first."))
    if draft.flags:
        lines.append(_("Red flags from your answers: {flags}").format(
            flags=", ".join(str(FLAG_NAMES[f]) for f in draft.flags if f in FLAG_NAMES)))
    who = ngo or _("our partner organisation")
    lines += [
        "",
        _("Who will see it: the consultants of {who}. Not your Telegram account.").format(who=who),
        _("A consultant may write to you here. You can delete your data with /forget."),
    ]
    rows = (_button(_("✅ Send the report"), AgencyCb(a=AgencyAction.SEND)), _button(_("❌ Cancel"), AgencyCb(a=AgencyAction.CANCEL)))
    return Screen("\n".join(lines), _markup(*rows))


def what_cut(limit: int) -> str:
    return _("Your description was long: the first {limit} characters were kept. "
             "Tell the rest to the consultant when you talk.").format(limit=limit)


def report_gone() -> str:
    return _("This report was already sent or cancelled. Here is the menu.")


def words_please() -> str:
    return _("Please write it in words. You can send photos and files to a consultant later.")


def report_to_open_case(number: int) -> Screen:
    """A person with an open case reports in it: what they write goes to the consultant."""
    return Screen(_(
        "Your request No. {number} is open. Write about the agency here: the consultant reads everything you send."
    ).format(number=number), keyboards.back_to_menu())


def report_cancelled() -> Screen:
    return Screen(_("Nothing was sent. You can type another agency's name to check it."), keyboards.back_to_menu())


def report_in_case(opened: str) -> Screen:
    """The report opened a case: `opened` is what every person is told when their case is opened."""
    return Screen(opened, keyboards.back_to_menu())


def report_saved(content: Content, locale: str, where: Where) -> Screen:
    """No case (no consultants, or none for this person): the report is kept for the team; the hotlines."""
    text = _("✅ <b>Your report is saved.</b> The team will read it.") + "\n\n" + guide.urgent_text(content, locale, where)
    return Screen(text, keyboards.back_to_menu())


# -- admins ------------------------------------------------------------------------------------------
def snapshots_text(snapshots: dict[str, Snapshot], locale: str) -> str:
    lines = [_("<b>Agency registries</b>")]
    for snapshot in snapshots.values():
        line = _("{country}: {count} agencies, list of {date}, imported {imported}").format(
            country=common.flagged(snapshot.country), count=snapshot.rows,
            date=format_day(snapshot.source_date, locale), imported=format_day(snapshot.imported_at.date(), locale))
        lines.append(line + (" 🧪" if snapshot.sample else ""))
        lines.append(f"<i>{escape(snapshot.source)}</i>")
    if not snapshots:
        lines.append(_("No registry is loaded."))
    lines += ["", _(
        "To replace a country's list, send the file here (Excel, CSV or YAML, columns as in the template) with the caption: "
        "country code, source link and date of the list, e.g. <code>KG https://example.org/list 2026-11-20</code>. "
        "A file with any bad row changes nothing."
    )]
    return "\n".join(lines)


def template_button() -> InlineKeyboardMarkup:
    return _markup(_button(_("📄 Template (Excel)"), AgencyCb(a=AgencyAction.TEMPLATE)))


def template_caption() -> str:
    return _("The registry template: one agency per row on the first sheet; the second sheet says what each column holds. "
             "Send it back here with the caption.")


def problems_text(problems: list[Problem], limit: int = 15) -> str:
    lines = [_("❌ <b>Nothing was imported.</b> Fix these and send the file again:")]
    for problem in problems[:limit]:
        where = _("line {number}").format(number=problem.line) if problem.line is not None else _("file")
        field = f", {escape(problem.field)}" if problem.field else ""
        value = f" ({escape(problem.value[:40])})" if problem.value else ""
        reason = Problem.explain(_(REASONS.get(problem.reason, problem.reason)))
        lines.append(f"• {where}{field}: {reason}{value}")
    if len(problems) > limit:
        lines.append(_("…and {count} more.").format(count=len(problems) - limit))
    return "\n".join(lines)


def imported_text(country: str, rows: int, before: int, sample: bool) -> str:
    text = _("✅ {country}: {count} agencies imported (the list had {before}).").format(
        country=common.flagged(country), count=rows, before=before)
    if sample:
        text += "\n" + _("🧪 The file is marked as sample data: people see a TEST DATA warning on every result.")
    return text


def reports_text(reports: list[Report], locale: str) -> str:
    if not reports:
        return _("No agency reports yet.")
    lines = [_("<b>Latest agency reports</b>")]
    for report in reports:
        head = f"<b>№{report.id}</b> · {format_day(report.created_at.date(), locale) if report.created_at else ''}"
        status = f"{STATUS_ICONS.get(report.status, '')} {STATUS_NAMES.get(report.status, report.status)}"
        registry = f" · {report.registry}" if report.registry else ""
        lines.append(f"{head} · {escape(report.agency)}{registry} · {status}")
        if report.flags:
            lines.append("   🚩 " + ", ".join(str(FLAG_NAMES[f]) for f in report.flags if f in FLAG_NAMES))
        if report.case_id is not None:
            lines.append("   " + _("case No. {number}").format(number=report.case_id))
        elif report.what:
            lines.append(f"   «{escape(report.what[:200])}»")
    return "\n".join(lines)
