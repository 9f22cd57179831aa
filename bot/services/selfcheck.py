"""Self-screening for forced-labour risk, scored after the ILO indicators of forced labour.

ILO, "ILO indicators of Forced Labour" (Special Action Programme to Combat Forced Labour, 2012)
names eleven indicators. The guidance says a single indicator can in some cases imply forced labour,
while in others several have to be present together. Here the four that restrain a person by force
(documents kept, movement restricted, violence, threats) are strong on their own; the other seven
count together. One more question, "are you in danger right now", decides an emergency.

No aiogram here: questions are ids, the wording lives with the screens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Answer(StrEnum):
    YES = "y"
    NO = "n"
    UNSURE = "u"
    SKIP = "s"


class Level(StrEnum):
    INFO = "info"
    CONCERN = "concern"
    HIGH = "high"
    EMERGENCY = "emergency"


# The ILO's eleven indicators, in the ILO's order.
INDICATORS: tuple[str, ...] = (
    "vulnerability",  # abuse of vulnerability
    "deception",
    "movement",  # restriction of movement
    "isolation",
    "violence",  # physical and sexual violence
    "threats",  # intimidation and threats
    "documents",  # retention of identity documents
    "wages",  # withholding of wages
    "debt",  # debt bondage
    "conditions",  # abusive working and living conditions
    "overtime",  # excessive overtime
)
STRONG: frozenset[str] = frozenset({"documents", "movement", "violence", "threats"})
DANGER_NOW = "danger_now"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    indicator: str | None  # None: not an ILO indicator (the "danger now" question)


# One question a screen, most telling first; the person can stop after any of them.
QUESTIONS: tuple[Question, ...] = (
    Question("documents", "documents"),
    Question("wages", "wages"),
    Question("movement", "movement"),
    Question("violence", "violence"),
    Question("threats", "threats"),
    Question("debt", "debt"),
    Question("deception", "deception"),
    Question("overtime", "overtime"),
    Question("conditions", "conditions"),
    Question("isolation", "isolation"),
    Question("vulnerability", "vulnerability"),
    Question(DANGER_NOW, None),
)
QUESTION_IDS: tuple[str, ...] = tuple(q.id for q in QUESTIONS)
# Weak indicators that together make a high risk (the ILO: "several indicators point to forced labour").
WEAK_FOR_HIGH = 3


@dataclass(frozen=True, slots=True)
class Result:
    level: Level
    indicators: tuple[str, ...]  # answered "yes", in the ILO's order
    unsure: tuple[str, ...]  # answered "not sure"
    answered: int  # questions answered yes, no or not sure (skips and unasked do not count)


def score(answers: Mapping[str, str]) -> Result:
    """Score answers {question id: Answer value}; unknown ids and values are ignored."""
    clean = {q: Answer(a) for q, a in answers.items() if q in QUESTION_IDS and a in Answer._value2member_map_}
    yes = {q.indicator for q in QUESTIONS if q.indicator and clean.get(q.id) is Answer.YES}
    unsure = {q.indicator for q in QUESTIONS if q.indicator and clean.get(q.id) is Answer.UNSURE}
    strong, weak = yes & STRONG, yes - STRONG
    danger = clean.get(DANGER_NOW) is Answer.YES
    if danger or ("violence" in yes and yes & {"movement", "threats"}):
        level = Level.EMERGENCY
    elif strong or len(weak) >= WEAK_FOR_HIGH:
        level = Level.HIGH
    elif weak or unsure & STRONG or len(unsure) >= 2 or clean.get(DANGER_NOW) is Answer.UNSURE:
        level = Level.CONCERN
    else:
        level = Level.INFO
    answered = sum(1 for a in clean.values() if a is not Answer.SKIP)
    order = {name: i for i, name in enumerate(INDICATORS)}
    return Result(
        level=level,
        indicators=tuple(sorted(yes, key=order.__getitem__)),
        unsure=tuple(sorted(unsure, key=order.__getitem__)),
        answered=answered,
    )


@dataclass(frozen=True, slots=True)
class Progress:
    """The conversation's data while asking: the answers so far and the question awaited."""

    answers: dict[str, str]
    next: int | None  # None: the data was lost or forged

    @classmethod
    def start(cls) -> Progress:
        return cls({}, 0)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Progress:
        next_ = data.get("next")
        return cls(dict(data.get("scr") or {}), next_ if isinstance(next_, int) else None)

    def to_dict(self) -> dict[str, Any]:
        return {"scr": self.answers, "next": self.next}

    def answered(self, number: int, answer: str) -> Progress:
        return Progress({**self.answers, QUESTIONS[number].id: answer}, number + 1)

    def back(self, number: int) -> Progress:
        """From question `number` to the one before, whose answer is asked again."""
        previous = max(number - 1, 0)
        return Progress({k: v for k, v in self.answers.items() if k != QUESTIONS[previous].id}, previous)

    @property
    def done(self) -> bool:
        return self.next is not None and self.next >= len(QUESTIONS)


@dataclass(frozen=True, slots=True)
class Finished:
    """The conversation's data after the last answer: kept until the person decides about a consultant."""

    result: Result
    answers: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.result.level.value, "indicators": list(self.result.indicators), "answers": self.answers}


def answer(progress: Progress, number: int, value: str) -> Progress | Finished:
    """Record an answer to question `number`: the next question awaited, or, after the last, the result."""
    following = progress.answered(number, value)
    return Finished(score(following.answers), following.answers) if following.done else following
