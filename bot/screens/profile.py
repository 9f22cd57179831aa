"""Profile: the person's citizenship and destination, asked with buttons; what was saved, and where next."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.content import Content
from bot.models import OTHER_COUNTRY, User
from bot.screens import guide, keyboards
from bot.screens.common import Screen


def ask_citizenship_text() -> str:
    return _("Which country are you a citizen of?")


def ask_destination_text() -> str:
    return _("Which country are you going to, or working in now?")


def tap_a_button() -> str:
    return _("Please tap one of the buttons.")


def summary(user: User) -> str:
    unknown = _("not given")
    other = _("another country")

    def name(code: str | None) -> str:
        if code is None:
            return unknown
        return other if code == OTHER_COUNTRY else keyboards.country_name(code)

    return _("Citizenship: {citizenship}\nDestination: {destination}").format(
        citizenship=name(user.citizenship), destination=name(user.destination)
    )


def start(user: User) -> Screen:
    """What is known, then the first question."""
    return Screen(f"{summary(user)}\n\n{ask_citizenship_text()}", keyboards.citizenship_choices())


def ask_destination() -> Screen:
    return Screen(ask_destination_text(), keyboards.destination_choices())


def citizenship_again() -> Screen:
    """Typed instead of tapped: the question again."""
    return Screen(f"{tap_a_button()}\n\n{ask_citizenship_text()}", keyboards.citizenship_choices())


def destination_again() -> Screen:
    return Screen(f"{tap_a_button()}\n\n{ask_destination_text()}", keyboards.destination_choices())


def saved_text(user: User) -> str:
    return _("Saved.") + "\n" + summary(user)


def saved_then(user: User, then: Screen) -> Screen:
    """Saved, and the screen the person came for (a country guide, the checklist)."""
    return Screen(f"{saved_text(user)}\n\n{then.text}", then.markup)


def for_countries(content: Content, locale: str, user: User) -> Screen:
    """Where the country guides lead once the profile is known: the destination's guide, or the list."""
    if user.destination in content.guide.countries:
        return guide.country(content, locale, user.destination, user)
    return guide.countries(content)
