"""Referral across borders: what the consultant is asked and told (in the team's language), and what the
person is asked, shown first what would be shared, and told (in theirs). Pure: data in, text out."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import ReferCb, ReferPickCb
from bot.models import Referral
from bot.screens import words
from bot.screens.common import Screen, button, column, flagged
from bot.screens.desk import LANGUAGE_IN  # the same words as the check-ins' "your language: ..."
from bot.services.teams import Team


def team_label(team: Team | None, team_id: str) -> str:
    if team is None:
        return escape(team_id)
    name = escape(team.name or team.id)
    return f"{name} ({flagged(team.country)})" if team.country else name


# -- the consultant ------------------------------------------------------------------------------------
def choose(number: int, partners: list[Team]) -> Screen:
    buttons = [button(f"↪️ {team_label(team, team.id)}", ReferPickCb(case=number, team=team.id).pack()) for team in partners]
    return Screen(_("↪️ Refer case No. {number} to a partner team. The person is asked first, and shown what is shared.").format(
        number=number), column(buttons))


def refusal(reason: str, number: int, partners: list[Team]) -> str:
    if reason == "no_partners":
        return _("This team has no partner teams to refer to (partners: in TEAMS_FILE).")
    if reason == "pending":
        return _("The person is already being asked about a referral of case No. {number}.").format(number=number)
    names = ", ".join(f"{escape(t.id)}" for t in partners)
    return _("Not a partner team of this one. Partner teams: {teams}").format(teams=names)


def unreachable(number: int, team: str) -> str:
    return _("⚠️ The partner team {team} cannot be reached now (the bot is not in its group, or Telegram refuses). "
             "Case No. {number} stays with you.").format(team=team, number=number)


def asked(number: int, team: str) -> str:
    return _("↪️ The person is asked to agree to the referral of case No. {number} to {team}. Their answer will show here.").format(
        number=number, team=team)


def refused(number: int, team: str) -> str:
    return _("↪️ Case No. {number}: the person did not agree to the referral to {team}. The case stays with you.").format(
        number=number, team=team)


def sent(number: int, team: str) -> str:
    return _("↪️ Case No. {number} was referred to {team} with the person's consent. Its status will show here.").format(
        number=number, team=team)


def status_taken(number: int, team: str) -> str:
    return _("↪️ Case No. {number} at {team}: taken by a consultant there.").format(number=number, team=team)


def status_closed(number: int, team: str, outcome: str) -> str:
    return _("↪️ Case No. {number} at {team}: closed ({outcome}).").format(
        number=number, team=team, outcome=words.OUTCOMES.get(outcome, outcome))


def topic_name(number: int, team: str) -> str:
    return _("↪️ No. {number} → {team}").format(number=number, team=team)[:128]


# -- the partner team ---------------------------------------------------------------------------------
def history_head(team: str, reason: str | None) -> str:
    head = _("🗂 <b>Referred by {team}.</b> The conversation there (👤 the person, 💬 the consultants):").format(team=team)
    if reason:
        head += "\n" + _("Why it was referred: «{reason}»").format(reason=escape(reason))
    return head


# -- the person -------------------------------------------------------------------------------------------
def consent(referral: Referral, team: Team | None) -> Screen:
    shared: dict[str, Any] = referral.shared
    lines = [_("↪️ Your consultant suggests passing your case to a partner organisation: {team}. They can help you there.").format(
        team=team_label(team, referral.to_team)), "", _("If you agree, they will see:")]
    if shared.get("description") or shared.get("answers") or shared.get("agency") or shared.get("checkin"):
        lines.append(_("• what you told when you asked for help"))
    if shared.get("messages"):
        lines.append(_("• your conversation with the consultant (messages: {count})").format(count=shared["messages"]))
    lines.append(_("• your language: {language}").format(language=LANGUAGE_IN.get(str(shared.get("language")), "?")))
    if shared.get("destination") and shared["destination"] != "XX":
        lines.append(_("• the country where you work: {country}").format(country=flagged(shared["destination"])))
    if shared.get("citizenship") and shared["citizenship"] != "XX":
        lines.append(_("• your citizenship: {country}").format(country=flagged(shared["citizenship"])))
    if shared.get("username"):
        lines.append(_("• your Telegram username"))
    if shared.get("reason"):
        lines += ["", _("Why: «{reason}»").format(reason=escape(str(shared["reason"])))]
    lines += ["", _("Your consultant here will only see whether your case was taken and closed there.")]
    return Screen("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[
        [button(_("✅ Yes, pass it on"), ReferCb(id=referral.id, yes=True).pack())],
        [button(_("❌ No, stay with my consultant"), ReferCb(id=referral.id, yes=False).pack())],
    ]))


def person_sent(team: str) -> str:
    return _("✅ Your case was passed to {team}. A consultant there will write to you here.").format(team=team)


def person_refused() -> str:
    return _("OK. Your case stays with your consultant.")


def person_unreachable() -> str:
    return _("⚠️ The partner organisation cannot be reached now. Your case stays with your consultant.")


def person_stale() -> str:
    return _("This question is no longer valid: your case has changed since.")
