"""The conversations that span several messages: one StatesGroup per flow.

The class names are part of the stored state ("AgencyFlow:query" in fsm_state): renaming one would
drop every half-finished flow at the next upgrade, so they keep the names they were stored with.
"""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class AgencyFlow(StatesGroup):
    query = State()  # typed text is a name or permit number to check
    quiz = State()  # the red-flag questions
    report_name = State()
    report_what = State()
    report_contact = State()
    report_confirm = State()


class ChecklistForm(StatesGroup):
    date = State()  # data: field (dep | arr | an item id)


class Consent(StatesGroup):
    agreeing = State()
    sharing = State()  # share the self-check answers?
    describing = State()
    language = State()
    username = State()


class BroadcastForm(StatesGroup):
    text = State()
    audience = State()  # data: text, lang, cit, dst


class ProfileForm(StatesGroup):
    citizenship = State()
    destination = State()


class Screening(StatesGroup):
    """The self-check (bot.handlers.selfcheck)."""

    asking = State()  # data: bot.services.selfcheck.Progress
    result = State()  # data: bot.services.selfcheck.Finished (until the person decides about a consultant)
