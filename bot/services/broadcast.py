"""The rules of an announcement being prepared: how long it may be, whom it can be aimed at, and the
admin's draft kept between messages (the BroadcastForm's FSM data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.models import CITIZENSHIPS, DESTINATIONS, LANGUAGES

MAX_TEXT = 3500  # room for Telegram's 4096 after entities
RATE = 25.0  # messages a second, overall, for every bulk send
# what each audience button cycles through; "" is everyone
CHOICES: dict[str, tuple[str, ...]] = {"lang": ("", *LANGUAGES), "cit": ("", *CITIZENSHIPS), "dst": ("", *DESTINATIONS)}
FILTERS = ("lang", "cit", "dst")


def next_choice(kind: str, value: str) -> str:
    """The choice after `value` on the `kind` button (after the last: everyone again)."""
    options = CHOICES[kind]
    return options[(options.index(value) + 1) % len(options)] if value in options else ""


@dataclass(frozen=True, slots=True)
class Draft:
    """An announcement being prepared: its text and the audience ("" for everyone). Stored as the FSM
    data {"text", "lang", "cit", "dst"} (a missing key is everyone)."""

    text: str = ""
    lang: str = ""
    cit: str = ""
    dst: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        return cls(**{key: str(data.get(key) or "") for key in ("text", *FILTERS)})

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "lang": self.lang, "cit": self.cit, "dst": self.dst}

    def choice(self, kind: str) -> str:
        return str(getattr(self, kind))

    def with_choice(self, kind: str, value: str) -> Draft:
        if kind not in CHOICES or value not in CHOICES[kind]:
            raise ValueError(f"not a choice: {kind}={value!r}")
        return Draft.from_dict({**self.to_dict(), kind: value})

    def audience(self) -> tuple[str | None, str | None, str | None]:
        """(language, citizenship, destination), None for everyone."""
        return self.lang or None, self.cit or None, self.dst or None
