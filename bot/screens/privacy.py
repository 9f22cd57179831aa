"""/forget: the question before deleting everything, and the answer after."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from bot.screens import keyboards
from bot.screens.common import Screen


def ask() -> Screen:
    return Screen(
        _(
            "<b>Delete my data</b>\n"
            "The bot will forget your language, your countries and where you stopped, "
            "and delete your conversations with consultants and your reports about agencies. "
            "This cannot be undone. Delete everything?"
        ),
        keyboards.forget_confirm(),
    )


def forgotten() -> Screen:
    return Screen(_("Your data has been deleted. To start again, send /start."))
