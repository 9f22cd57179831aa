"""What consultants read: the group's alert and its Take button, the case summary, the outcome
buttons, /cases, the answers to their commands; and the notices a person gets about their case.

Pure: data in, text (and buttons) out, in the current locale (the caller picks it: the team's for
alerts, the consultant's own, the person's chosen one). What people write is escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.callbacks import AddressCb, CloseCb, TakeCb
from bot.content import Content, format_day
from bot.models import Case, CaseMessage
from bot.screens import agency as agency_screens
from bot.screens import guide, keyboards, words
from bot.screens.common import Screen, button, column, flagged
from bot.screens.guide import Where
from bot.services.desk import OUTCOMES
from bot.services.selfcheck import QUESTION_IDS

TEXT_LIMIT = 4096
ANSWER_WORDS = {"y": "✅", "n": "❌", "u": "❔", "s": "—"}
WAITING_LISTED = 15  # /cases lists this many waiting cases, the most urgent
LEVEL_ICONS = {"info": "🟢", "concern": "🟡", "high": "🟠", "emergency": "🔴", "unknown": "⚪"}
TOPIC_COLORS = {  # of the six colours Telegram allows a topic's icon
    "emergency": 16478047, "high": 16749490, "unknown": 13338331, "concern": 16766590, "info": 9367192,
}
TOPIC_NAME_MAX = 128
BOARD_LISTED = 24  # the board lists this many waiting cases, each with its Take button
LANGUAGE_IN = {  # "the consultant will write in ..."
    "ru": __("Russian"),
    "ky": __("Kyrgyz"),
    "tg": __("Tajik"),
    "uz": __("Uzbek"),
}
MEDIA_NAMES = {
    "photo": __("photo"),
    "voice": __("voice message"),
    "video": __("video"),
    "video_note": __("video message"),
    "audio": __("audio"),
    "document": __("file"),
    "location": __("location"),
    "contact": __("contact"),
    "sticker": __("sticker"),
    "animation": __("animation"),
}


def waited(case: Case, now: datetime) -> int:
    """Minutes the case has waited for a consultant."""
    return max(0, int((now - case.waiting_since).total_seconds() // 60))


# -- the facts of a case, shown in the alert and in the summary -----------------------------------
def facts_lines(case: Case) -> list[str]:
    lines = [f"{LEVEL_ICONS.get(case.level, '')} <b>{words.LEVELS[case.level]}</b> · {words.KINDS[case.kind]}"]
    where = []
    if case.destination and case.destination != "XX":
        where.append(_("Destination: {country}").format(country=flagged(case.destination)))
    if case.citizenship and case.citizenship != "XX":
        where.append(_("Citizen of: {country}").format(country=flagged(case.citizenship)))
    if where:
        lines.append(" · ".join(where))
    lines.append(_("Language: {language}").format(language=LANGUAGE_IN[case.language]))
    if case.subject and case.subject.get("agency"):
        lines += agency_lines(case.subject)
    if case.subject and case.subject.get("checkin"):
        lines += checkin_lines(case.subject["checkin"])
    if case.indicators:
        signs = "; ".join(str(words.INDICATORS[i]) for i in case.indicators if i in words.INDICATORS)
        lines.append(_("Signs: {signs}").format(signs=signs))
    if case.referred_from:
        lines.append(_("↪️ Referred by the partner team {team}, with the person's consent").format(team=escape(case.referred_from)))
    if case.earlier:
        lines.append(_("Earlier cases of this person: {numbers}").format(numbers=", ".join(f"№{n}" for n in case.earlier)))
    if case.signs:
        raised = "; ".join(str(words.TRIAGE_SIGNS[s]) for s in case.signs if s in words.TRIAGE_SIGNS)
        lines.append(_("Level raised by: {signs}").format(signs=raised))
    if case.username:
        lines.append(_("Telegram: @{username} (the person agreed to show it)").format(username=escape(case.username)))
    return lines


def agency_lines(subject: dict[str, Any]) -> list[str]:
    """An agency report: the agency, its registry status, the red flags."""
    status = subject.get("status") or "not_found"
    about = escape(subject["agency"])
    if subject.get("registry"):
        about += f" · {flagged(subject['registry'])}"
    if subject.get("permit"):
        about += " · " + _("permit No. {number}").format(number=escape(subject["permit"]))
    registry = f"{agency_screens.STATUS_ICONS.get(status, '')} {agency_screens.STATUS_NAMES.get(status, status)}"
    lines = [_("🏢 Agency: {agency}").format(agency=about), _("Registry: {status}").format(status=registry)]
    flags = [str(agency_screens.FLAG_NAMES[f]) for f in subject.get("flags") or () if f in agency_screens.FLAG_NAMES]
    if flags:
        lines.append(_("Red flags: {flags}").format(flags=", ".join(flags)))
    return lines


def checkin_lines(checkin: dict[str, Any]) -> list[str]:
    """A case opened by missed check-ins: when the person asked to be checked on, when last asked, where they work."""
    lines = [_("🛡 No answer to two check-ins in a row (the person asked for them: every {days} d. at {time}, {zone}).").format(
        days=checkin.get("every", "?"), time=escape(str(checkin.get("at", "?"))), zone=escape(str(checkin.get("zone", "?"))))]
    if checkin.get("asked"):
        asked = datetime.fromisoformat(checkin["asked"])
        lines.append(_("Last asked: {time} UTC").format(time=f"{asked:%d.%m %H:%M}"))
    if checkin.get("workplace"):
        lines.append(_("Where they work (the person shared it): «{place}»").format(place=escape(checkin["workplace"])))
    return lines


# -- the group's alert ------------------------------------------------------------------------------
def alert(case: Case, now: datetime, *, again: bool = False, returned_by: str | None = None) -> Screen:
    """The alert with its Take button: new, still waiting (`again`), or given back by a consultant."""
    head = (_("⏰ <b>Still waiting: case No. {number}</b>") if again else _("🆘 <b>New case No. {number}</b>")).format(number=case.id)
    lines = [head, *facts_lines(case)]
    lines.append(_("Waiting: {minutes} min").format(minutes=waited(case, now)))
    text = "\n".join(lines)
    if returned_by is not None:
        text = _("↩️ Returned to the group by {name}").format(name=escape(returned_by)) + "\n" + text
    return Screen(text, column([take_button(case.id)]))


def take_button(number: int) -> InlineKeyboardButton:
    return button(_("✋ Take case No. {number}").format(number=number), TakeCb(case=number).pack())


def alert_after(case: Case) -> str:
    """An alert once the case is taken or closed: the facts and who has it, no button."""
    lines = [_("<b>Case No. {number}</b>").format(number=case.id), *facts_lines(case)]
    if case.status == "taken":
        lines.append(_("✅ Taken by {name}").format(name=escape(case.consultant_name or "?")))
    elif case.status == "closed":
        lines.append(_("☑️ Closed: {outcome}").format(outcome=words.OUTCOMES.get(case.outcome or "", case.outcome or "")))
    return "\n".join(lines)


# -- the consultant's private chat ------------------------------------------------------------------
def signature(ngo_name: str) -> str:
    """How a consultant's words are signed for the person."""
    name = _("Consultant")
    return f"{name}, {ngo_name}" if ngo_name else name


def _answer_lines(answers: dict[str, str]) -> list[str]:
    lines = [_("Self-check answers (shared by the person):")]
    for question in QUESTION_IDS:
        answer = answers.get(question)
        if answer and answer != "s":
            lines.append(f"{ANSWER_WORDS.get(answer, '?')} {words.QUESTIONS[question]}")
    return lines


def summary(case: Case, history: list[CaseMessage], now: datetime, locale: str, ngo_name: str, *, in_topic: bool = False) -> str:
    """What a consultant gets on taking (or switching to) a case: the facts, the person's words, how to answer."""
    lines = [_("📂 <b>Case No. {number}</b>").format(number=case.id), *facts_lines(case)]
    lines.append(_("Opened: {day}, waited {minutes} min").format(
        day=f"{format_day(case.created_at.date(), locale)} {case.created_at:%H:%M} UTC",
        minutes=max(0, int(((case.taken_at or now) - case.waiting_since).total_seconds() // 60)),
    ))
    if case.description:
        lines.append(_("What happened, in the person's words:") + f"\n«{escape(case.description)}»")
    if case.subject and case.subject.get("contact"):
        lines.append(_("Contact the person gave: {contact}").format(contact=escape(case.subject["contact"])))
    if case.answers:
        lines += _answer_lines(case.answers)
    waiting = [m for m in history if m.direction == "in" and not m.delivered]
    if waiting:
        lines.append(_("Messages from the person that waited for you: {count}, below.").format(count=len(waiting)))
    lines.append("")
    if in_topic:
        lines.append(_(
            "✍️ Whoever took the case writes in this topic: the person gets those words signed \"{signature}\", "
            "never the account. What others write here stays in the team.\n"
            "/note text: internal note · /transfer [@name or language] [why]: hand over · /close: close with an outcome"
        ).format(signature=signature(ngo_name)))
        return "\n".join(lines)[:TEXT_LIMIT]
    lines.append(_(
        "✍️ Write here, or reply to a message of this case: the person gets your words signed "
        "\"{signature}\", never your account. Holding several cases? Reply to a message of the case, "
        "or choose when the bot asks.\n"
        "/note text: internal note · /transfer: back to the group · /close: close with an outcome · "
        "/cases: your cases · /case N: show a case"
    ).format(signature=signature(ngo_name)))
    return "\n".join(lines)[:TEXT_LIMIT]


def conversation_so_far(messages: list[CaseMessage], *, handed_over: bool = True, head: str | None = None) -> str:
    """For the consultant taking a case handed over (or referred, under `head`; or finding one): what the person
    and the consultants said, the newest kept when it is long."""
    if head is None and handed_over:
        head = _("🗂 <b>Handed over.</b> The conversation so far (👤 the person, 💬 the consultants):")
    elif head is None:
        head = _("🗂 The conversation (👤 the person, 💬 the consultants):")
    lines: list[str] = []
    room = TEXT_LIMIT - len(head) - 1
    for m in reversed(messages):
        said = escape(m.text) if m.text else ""
        line = f"{'👤' if m.direction == 'in' else '💬'} {said if m.kind == 'text' else f'[{m.kind}] {said}'.strip()}"
        if len(line) + 1 > room:
            lines.append(line[:room - 2] + "…" if not lines else "…")  # the newest is kept, cut if it must be
            break
        lines.append(line)
        room -= len(line) + 1
    return "\n".join([head, *reversed(lines)])


def note_text(note: str, at: datetime) -> str:
    return _("📝 Note, {time} UTC:").format(time=f"{at:%d.%m %H:%M}") + f"\n{escape(note)}"


def cases_list(mine: Iterable[Case], waiting: list[Case], now: datetime) -> str:
    """/cases: the consultant's cases, then the ones waiting in the group, most urgent first, with their wait."""
    lines = [_("<b>Your cases</b>")]
    lines += [f"• №{c.id} {LEVEL_ICONS[c.level]} {words.KINDS[c.kind]} · {c.language}" for c in mine] or [_("none")]
    lines.append(_("<b>Waiting in the group:</b> {count}").format(count=len(waiting)))
    lines += [
        f"• №{c.id} {LEVEL_ICONS[c.level]} {words.KINDS[c.kind]} · {c.language} · "
        + _("Waiting: {minutes} min").format(minutes=waited(c, now))
        for c in waiting[:WAITING_LISTED]
    ]
    if len(waiting) > WAITING_LISTED:
        lines.append("…")
    return "\n".join(lines)


def outcome_question(case_id: int) -> Screen:
    """/close: how did the case end? One button per outcome."""
    buttons = [button(str(words.OUTCOMES[o]), CloseCb(case=case_id, outcome=o).pack()) for o in OUTCOMES]
    return Screen(_("How did case No. {number} end?").format(number=case_id), column(buttons))


def closed_text(case_id: int, outcome: str) -> str:
    return _("☑️ Case No. {number} is closed: {outcome}.").format(number=case_id, outcome=words.OUTCOMES[outcome])


def refusal(reason: str, number: int | None = None) -> str:
    """Why a consultant may not do that with case `number` (a CaseError's reason)."""
    if reason == "not_found":
        return _("There is no case No. {number}.").format(number=number)
    if reason == "not_yours":
        return _("Case No. {number} is handled by another consultant.").format(number=number)
    if reason == "closed":
        return _("Case No. {number} is closed.").format(number=number)
    if reason == "taken":
        return _("Case No. {number} is not taken yet: take it in the group first.").format(number=number)
    return _("This is not possible.")


# -- short answers to consultants -----------------------------------------------------------------
def not_a_group_consultant() -> str:
    return _("Only consultants of this group can take cases.")


def consultants_only() -> str:
    return _("This command is for consultants only.")


def yours(number: int) -> str:
    return _("Case No. {number} is yours. Open the private chat with the bot to talk to the person.").format(number=number)


def taken_by(number: int, name: str) -> str:
    return _("Case No. {number} is already taken by {name}.").format(number=number, name=name)


def start_the_bot(username: str) -> str:
    return _("The bot cannot write to you yet. Open @{bot}, press Start, then take the case again.").format(bot=username.lstrip("@"))


def which_case_for(held: Iterable[Case]) -> Screen:
    """A consultant holding several cases wrote without Reply: nothing goes until they say which case."""
    text = _("You hold several cases. Which one is this message for? Nothing is sent until you choose.")
    return Screen(text, column(
        button(f"→ №{c.id} {LEVEL_ICONS[c.level]} {c.language}", AddressCb(case=c.id).pack()) for c in held
    ))


def sent_to(case_id: int) -> str:
    """Under a consultant's message: where it went."""
    return f"→ №{case_id}"


def which_case() -> str:
    return _("Which case? Send the command with the case number, e.g. /close 12. Your cases: /cases")


def send_case_number() -> str:
    return _("Send the case number, e.g. /case 12. Your cases: /cases")


def note_how() -> str:
    return _("Write the note after the command: /note text. It goes to your active case, the person does not see it.")


def note_added(number: int) -> str:
    return _("📝 Note added to case No. {number}.").format(number=number)


def transferred(number: int) -> str:
    return _("Case No. {number} is back in the group, waiting for another consultant.").format(number=number)


def person_gone(number: int) -> str:
    return _("The person of case No. {number} deleted their data; messages cannot be delivered.").format(number=number)


def undelivered(number: int) -> str:
    return _("Case No. {number}: your message was not delivered: the person has blocked the bot or deleted the chat.").format(number=number)


def person_ended(number: int) -> str:
    return _("Case No. {number}: the person ended the conversation. Send /close {number} to record the outcome.").format(number=number)


def person_forgot(number: int) -> str:
    return _("Case No. {number}: the person deleted their data. The case is closed and its messages are deleted.").format(number=number)


# -- relayed messages ---------------------------------------------------------------------------------
def from_person_header(case_id: int) -> str:
    """Above what a person wrote, for the consultant."""
    return f"👤 <b>№{case_id}</b>"


def media_label(header: str, kind: str) -> str:
    """Announces a message that is copied below it (a sticker, a location, a long caption...)."""
    return f"{header}: {MEDIA_NAMES.get(kind, kind)} ⬇️"


def signed_header(ngo_name: str) -> str:
    """Above what a consultant wrote, for the person."""
    return f"💬 <b>{escape(signature(ngo_name))}</b>"


def captioned(header: str, text: str | None, sep: str) -> str:
    """`header`, then what was written (escaped) after `sep`, if anything was."""
    return f"{header}{sep}{escape(text)}" if text else header


# -- what the person is told about their case ---------------------------------------------------
def taken_notice(number: int) -> str:
    return _("👋 A consultant has taken your request No. {number} and will write to you here soon.").format(number=number)


def passed_on_notice(number: int) -> str:
    return _("Your request No. {number} is passed to another consultant. They will write to you here.").format(number=number)


def closed_notice(number: int) -> Screen:
    return Screen(_(
        "The consultant has closed your request No. {number}. If you need help again, "
        "open the menu and choose \"Talk to a consultant\"."
    ).format(number=number), keyboards.back_to_menu())


def still_waiting(number: int, content: Content, language: str, where: Where) -> str:
    """No consultant has taken the request for a while: the hotlines meanwhile."""
    text = _(
        "Your request No. {number} is still waiting: all consultants are busy. "
        "A consultant will write to you as soon as possible. Meanwhile you can call:"
    ).format(number=number)
    return f"{text}\n\n{guide.urgent_text(content, language, where)}"


# -- forum groups: topics, the board, the notifications in General ---------------------------------
def topic_state(case: Case) -> str:
    if case.status == "new":
        return _("⏳ waiting")
    if case.status == "taken":
        return f"👤 {case.consultant_name or '?'}"
    return _("✅ closed")


def topic_name(case: Case) -> str:
    """What the group's list of topics shows: "🟠 №12 · RU · ky · ⏳ waiting" (at most 128 characters)."""
    parts = [f"{LEVEL_ICONS.get(case.level, '')} №{case.id}".strip()]
    if case.destination and case.destination != "XX":
        parts.append(case.destination)
    parts += [case.language, topic_state(case)]
    return " · ".join(parts)[:TOPIC_NAME_MAX]


def board(waiting: list[Case], now: datetime, link: Any) -> Screen:
    """The queue board pinned in General: the waiting cases, most urgent first, with their waiting time and
    a Take button each."""
    if not waiting:
        return Screen(_("📋 <b>Queue</b>\nNo one is waiting. New cases come as topics; this board lists those waiting."), None)
    lines = [_("📋 <b>Queue: {count} waiting</b>, most urgent first").format(count=len(waiting))]
    for case in waiting[:BOARD_LISTED]:
        where = f" · {case.destination}" if case.destination and case.destination != "XX" else ""
        line = f"{LEVEL_ICONS[case.level]} №{case.id} · {words.LEVELS[case.level]}{where} · {case.language} · " + _(
            "{minutes} min").format(minutes=waited(case, now))
        url = link(case)
        lines.append(f'<a href="{url}">{line}</a>' if url else line)
    if len(waiting) > BOARD_LISTED:
        lines.append(_("… and {count} more: /cases in the private chat with the bot").format(count=len(waiting) - BOARD_LISTED))
    takes = [button(f"✋ №{c.id} {LEVEL_ICONS[c.level]}", TakeCb(case=c.id).pack()) for c in waiting[:BOARD_LISTED]]
    rows = [takes[i:i + 3] for i in range(0, len(takes), 3)]
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def ping(case: Case, now: datetime, kind: str, url: str | None) -> Screen:
    """One short notification in General: the case waits too long, became more urgent, or is back."""
    head = {
        "waiting": _("⏰ Case No. {number} is still waiting: {minutes} min"),
        "raised": _("⚠️ Case No. {number} is more urgent now: {minutes} min waiting"),
        "returned": _("↩️ Case No. {number} is back in the queue"),
    }[kind].format(number=case.id, minutes=waited(case, now))
    text = f"{head}\n{LEVEL_ICONS[case.level]} <b>{words.LEVELS[case.level]}</b> · {words.KINDS[case.kind]} · {case.language}"
    rows = [[take_button(case.id)]]
    if url:
        rows.append([InlineKeyboardButton(text=_("Open the topic"), url=url)])
    return Screen(text, InlineKeyboardMarkup(inline_keyboard=rows))


def needs_topic_right() -> str:
    return _(
        "⚠️ This group has topics, but the bot may not manage them, so cases come here as alerts and the "
        "conversation goes to the consultant's private chat. To have a topic per case: group settings → "
        "Administrators → the bot → turn on \"Manage topics\" (and \"Delete messages\", \"Pin messages\")."
    )


def handed_to(number: int, by: str, name: str, user_id: int, why: str | None = None) -> str:
    """In the topic (or the new consultant's chat): who handed the case to whom, and why; the name is a mention."""
    text = _("🔁 {by} handed case No. {number} to {name}.").format(
        by=escape(by), number=number, name=f'<a href="tg://user?id={user_id}">{escape(name)}</a>'
    )
    reason = _("Why:")
    return f"{text}\n{reason} {escape(why)}" if why else text


def topic_not_deleted(number: int) -> str:
    return _(
        "⚠️ The bot could not delete the topic of case No. {number} (the person asked to delete their data, or "
        "its retention ended). Give the bot the right \"Delete messages\", then delete the topic by hand."
    ).format(number=number)


def returned_line(number: int, by: str, reason: str | None) -> str:
    text = _("↩️ {name} returned case No. {number} to the queue.").format(name=escape(by), number=number)
    why = _("Why:")
    return f"{text}\n{why} {escape(reason)}" if reason else text


def take_first(number: int) -> Screen:
    """Someone wrote in the topic of a case nobody has taken: nothing went to the person."""
    return Screen(_("Not sent: case No. {number} is not taken yet. Take it, then write again.").format(number=number),
                  column([take_button(number)]))


def held_by(number: int, name: str) -> str:
    return _("Not sent to the person: case No. {number} is with {name}. What you write here stays in the team.").format(
        number=number, name=escape(name))


def topic_closed(number: int) -> str:
    return _("Not sent: case No. {number} is closed.").format(number=number)


def write_in_topic(number: int) -> str:
    return _("Not sent: case No. {number} has its topic in the consultants' group. Write there: the team sees it.").format(number=number)


def yours_in_topic(number: int) -> str:
    return _("Case No. {number} is yours. Write in its topic: the person gets it.").format(number=number)


def needs_speaker(number: int, language: str, speakers: list[tuple[int, str]]) -> str:
    """A case handed over for a language: those who said they speak it are called by name."""
    text = _("🗣 Case No. {number} needs a consultant who speaks {language}.").format(number=number, language=LANGUAGE_IN[language])
    if speakers:
        text += "\n" + ", ".join(f'<a href="tg://user?id={user_id}">{escape(name)}</a>' for user_id, name in speakers)
    return text


def no_speakers(language: str) -> str:
    return _("No consultant has said they speak {language} yet (/speak): the whole group is asked.").format(
        language=LANGUAGE_IN[language])


def no_such_consultant(name: str) -> str:
    return _("The bot does not know {name}: they must have pressed a button or sent a command of the bot once.").format(
        name=escape(name))


def cannot_hand_to(name: str) -> str:
    return _("{name} cannot take the case: they are not in this case's group, or have not opened a chat with the bot.").format(
        name=escape(name))


def speaks(languages: list[str]) -> str:
    """/speak: what the consultant said they speak."""
    if not languages:
        return _("Say which languages you speak, e.g. /speak ru ky: cases handed over for them will call you.")
    return _("You speak: {languages}. Cases handed over for them will call you.").format(
        languages=", ".join(str(LANGUAGE_IN[code]) for code in languages))


# -- /find ------------------------------------------------------------------------------------------
FIND_STATUSES = {"waiting": "new", "new": "new", "taken": "taken", "open": "taken", "closed": "closed"}
FOUND_LISTED = 20


def find_how() -> str:
    return _("/find 12: case No. 12, closed ones too · /find waiting, /find taken, /find closed: the latest of each")


def found_list(listed: list[Case], now: datetime) -> str:
    if not listed:
        return _("No such cases.")
    lines = []
    for c in listed[:FOUND_LISTED]:
        state = topic_state(c)
        when = c.closed_at or c.taken_at or c.created_at
        lines.append(f"• №{c.id} {LEVEL_ICONS[c.level]} {words.KINDS[c.kind]} · {c.language} · {state} · {when:%d.%m %H:%M}")
    return "\n".join(lines)


def found(
    case: Case, history: list[CaseMessage], notes: list[tuple[int, str, datetime]], now: datetime, locale: str,
    ngo_name: str, retention_days: int,
) -> list[str]:
    """/find N: the case as its consultant saw it, then the conversation and the notes (until retention
    deletes them, which it says)."""
    head = [_("<b>Case No. {number}</b>").format(number=case.id), *facts_lines(case), topic_state(case)]
    if case.status == "closed" and case.outcome:
        head.append(_("☑️ Closed: {outcome}").format(outcome=words.OUTCOMES.get(case.outcome, case.outcome)))
    if case.description:
        head.append(_("What happened, in the person's words:") + f"\n«{escape(case.description)}»")
    texts = ["\n".join(head)[:TEXT_LIMIT]]
    if history:
        texts.append(conversation_so_far(history, handed_over=False))
    elif case.status == "closed":
        texts.append(_("Messages of closed cases are deleted {days} days after the close.").format(days=retention_days))
    texts += [note_text(note, at) for _author, note, at in notes]
    return texts
