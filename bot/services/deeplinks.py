"""Deep links: `https://t.me/<bot>?start=<payload>` opens a topic, a country guide or the contacts,
optionally in a given language, e.g. `ky-c-RU` (Working in Russia, in Kyrgyz).

Payload grammar: `[<lang>-]<target>`, where target is `t-<topic>`, `g-<group>`, `c-<COUNTRY>`,
`contacts`, `contacts-<COUNTRY>` or `menu`. Telegram allows A-Z, a-z, 0-9, _ and - and 64 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from bot.content import Content
from bot.models import LANGUAGES

MAX_PAYLOAD = 64
_ALLOWED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class LinkError(ValueError):
    """The payload names nothing the content has."""


@dataclass(frozen=True)
class Target:
    kind: str  # "topic" | "group" | "country" | "contacts" | "menu"
    id: str = ""
    language: str | None = None


def parse(payload: str, content: Content) -> Target:
    if not _ALLOWED.fullmatch(payload):
        raise LinkError("only A-Z, a-z, 0-9, _ and -, at most 64 characters")
    language = None
    head, _, rest = payload.partition("-")
    if head in LANGUAGES:
        language, payload = head, rest
    kind, _, ident = payload.partition("-")
    if kind == "t" and ident in content.parents:
        return Target("topic", ident, language)
    if kind == "g" and ident in content.guide.groups:
        return Target("group", ident, language)
    if kind == "c" and ident.upper() in content.guide.countries:
        return Target("country", ident.upper(), language)
    if kind == "contacts" and (not ident or ident.upper() in content.contact_countries()):
        return Target("contacts", ident.upper(), language)
    if kind == "menu" and not ident:
        return Target("menu", "", language)
    raise LinkError(f"{payload!r} names no topic, group, country or contacts page")


def build(target: str, language: str | None = None) -> str:
    payload = f"{language}-{target}" if language else target
    if not _ALLOWED.fullmatch(payload):
        raise LinkError(f"payload {payload!r} is not allowed: A-Z, a-z, 0-9, _ and -, at most {MAX_PAYLOAD} characters")
    return payload


def url(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={quote(payload)}"


def all_targets(content: Content) -> list[str]:
    """Every payload the content supports (without a language), for the README and tests."""
    targets = [f"t-{topic}" for topic in content.parents]
    targets += [f"g-{group}" for group in content.guide.groups]
    targets += [f"c-{code}" for code in content.guide.countries]
    targets += ["contacts", *[f"contacts-{code}" for code in content.contact_countries()], "menu"]
    return targets
