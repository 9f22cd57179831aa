"""The conversations that span several messages: one StatesGroup per flow, and beside it the typed
data the flow keeps between messages (stored as a dict in fsm_state; `from_dict` reads what older
versions stored, `to_dict` writes the same keys).

The class names are part of the stored state ("AgencyFlow:query" in fsm_state): renaming one would
drop every half-finished flow at the next upgrade, so they keep the names they were stored with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from aiogram.fsm.state import State, StatesGroup

from bot.models import User
from bot.services.agency import Checked, ReportDraft
from bot.services.desk import Draft


class AgencyFlow(StatesGroup):
    query = State()  # typed text is a name or permit number to check
    quiz = State()  # the red-flag questions
    report_name = State()
    report_what = State()
    report_harm = State()  # did they take money, do they keep documents (buttons)
    report_contact = State()
    report_confirm = State()


@dataclass
class AgencyData:
    """The flow's FSM data, stored under "ag" with the keys it has always had."""

    agency: Checked | None = None  # the agency in view
    typed: str | None = None  # the last search
    flags: list[str] | None = None  # red flags answered yes, once the questions are done
    answers: dict[str, str] | None = None  # "rf": the questions' answers so far
    next: int | None = None  # the question awaited
    draft: ReportDraft | None = None  # a report being written

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> AgencyData:
        raw = raw or {}
        return cls(
            agency=Checked.from_dict(raw.get("agency")), typed=raw.get("typed"), flags=raw.get("flags"),
            answers=raw.get("rf"), next=raw.get("next"), draft=ReportDraft.from_dict(raw.get("draft")),
        )

    def to_dict(self) -> dict[str, Any]:
        stored = {
            "agency": self.agency.to_dict() if self.agency else None, "typed": self.typed, "flags": self.flags,
            "rf": self.answers, "next": self.next, "draft": self.draft.to_dict() if self.draft else None,
        }
        return {key: value for key, value in stored.items() if value is not None}

    @property
    def name(self) -> str | None:
        """The agency the questions are about: the one in view, or the name last typed."""
        return self.agency.name if self.agency else self.typed


class ChecklistForm(StatesGroup):
    date = State()  # data: DateForm


@dataclass(frozen=True)
class DateForm:
    """ChecklistForm's data: the date the calendar (or a typed text) is for: dep | arr | an item id."""

    field: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DateForm:
        return cls(field=str(data.get("field", "")))

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field}


class Consent(StatesGroup):
    agreeing = State()
    sharing = State()  # share the self-check answers?
    describing = State()
    language = State()
    username = State()


@dataclass
class ConsentData:
    """What the consent flow keeps between steps; stored as {"draft": {...}} in the FSM data."""

    kind: str
    level: str = "unknown"
    indicators: list[str] = field(default_factory=list)
    answers: dict[str, str] | None = None  # the self-check answers, until the person decides to share them
    description: str | None = None
    language: str | None = None
    username: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConsentData:
        draft = data["draft"]
        return cls(
            kind=draft["kind"], level=draft["level"], indicators=list(draft.get("indicators") or ()),
            answers=draft.get("answers"), description=draft.get("description"), language=draft.get("language"),
            username=draft.get("username"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"draft": asdict(self)}

    def case_draft(self, user: User, language: str) -> Draft:
        return Draft(
            user_id=user.id, kind=self.kind, level=self.level, language=language, indicators=tuple(self.indicators),
            answers=self.answers, description=self.description, destination=user.destination,
            citizenship=user.citizenship, username=self.username,
        )


class BroadcastForm(StatesGroup):
    text = State()
    audience = State()  # data: bot.services.broadcast.Draft (text, lang, cit, dst, send_at)
    send_at = State()  # the same data, a typed sending time awaited


class ProfileForm(StatesGroup):
    citizenship = State()
    destination = State()  # data: ProfileData


@dataclass(frozen=True)
class ProfileData:
    """Where the person came from to the profile questions, to take them back there when done."""

    then: Literal["countries", "checklist"] | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProfileData:
        then = data.get("then")
        return cls(then=then if then in ("countries", "checklist") else None)

    def to_dict(self) -> dict[str, Any]:
        return {"then": self.then} if self.then else {}


class Screening(StatesGroup):
    """The self-check (bot.handlers.selfcheck)."""

    asking = State()  # data: bot.services.selfcheck.Progress
    result = State()  # data: SelfcheckResult (until the person decides about a consultant)


@dataclass(frozen=True)
class SelfcheckResult:
    """Screening.result's data, as bot.services.selfcheck.Finished.to_dict stores it; read by the consult
    flow when the person asks for a consultant from the result."""

    level: str
    indicators: tuple[str, ...]
    answers: dict[str, str]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SelfcheckResult | None:
        if not data.get("level"):
            return None
        return cls(str(data["level"]), tuple(data.get("indicators") or ()), dict(data.get("answers") or {}))


class CheckinForm(StatesGroup):
    setting = State()  # buttons only; data: CheckinData
    time = State()  # a typed time awaited (HH:MM)
    workplace = State()  # where the person works, typed, to be shared if a check-in is missed


@dataclass
class CheckinData:
    """The check-ins being set up, step by step (stored under "ci")."""

    every: int | None = None
    at: str | None = None
    zone: str | None = None
    escalate: bool | None = None
    share: list[str] = field(default_factory=list)
    workplace: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckinData:
        raw = data.get("ci") or {}
        return cls(every=raw.get("every"), at=raw.get("at"), zone=raw.get("zone"), escalate=raw.get("escalate"),
                   share=list(raw.get("share") or ()), workplace=raw.get("workplace"))

    def to_dict(self) -> dict[str, Any]:
        return {"ci": asdict(self)}
