"""The red-flag questions about a recruiter's offer, and their verdict.

After the recruitment red flags of IOM and police advice (see facts `iom_red_flags`): money demanded
before a contract, no written contract or one in a language you do not read, pay too good for the
work, pressure to leave fast, a tourist visa for a job, an agent with no permit to show. Two come from
the ILO indicators of forced labour (`ilo_indicators`): documents kept, and deception about the job.

A flag that alone can trap a person (money taken, passport kept, an illegal visa, a job that changed
once there) makes the verdict "danger" by itself; the others count together. No aiogram here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Reply(StrEnum):
    YES = "y"
    NO = "n"
    UNSURE = "u"


class Verdict(StrEnum):
    CLEAR = "clear"  # no flag answered yes: still not a proof of honesty
    CAUTION = "caution"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Flag:
    id: str
    weight: int  # 3: enough alone for "danger"; 2 and 1 count together


FLAGS: tuple[Flag, ...] = (
    Flag("prepay", 3),
    Flag("passport", 3),
    Flag("contract", 2),
    Flag("salary", 1),
    Flag("rush", 1),
    Flag("tourist_visa", 3),
    Flag("no_permit", 2),
    Flag("job_changed", 3),
)
FLAG_IDS: tuple[str, ...] = tuple(f.id for f in FLAGS)
DANGER_SCORE = 4  # e.g. no contract and no permit shown; or no contract, pressure and pay too good
WEIGHTS = {f.id: f.weight for f in FLAGS}


@dataclass(frozen=True, slots=True)
class Assessment:
    verdict: Verdict
    flags: tuple[str, ...]  # answered yes, in question order
    unsure: tuple[str, ...]  # answered "not sure": to find out before paying or leaving
    score: int


def assess(answers: Mapping[str, str]) -> Assessment:
    """Score {flag id: Reply value}; unknown ids and values are ignored."""
    clean = {f: Reply(a) for f, a in answers.items() if f in WEIGHTS and a in Reply._value2member_map_}
    flags = tuple(f for f in FLAG_IDS if clean.get(f) is Reply.YES)
    unsure = tuple(f for f in FLAG_IDS if clean.get(f) is Reply.UNSURE)
    score = sum(WEIGHTS[f] for f in flags)
    if any(WEIGHTS[f] >= 3 for f in flags) or score >= DANGER_SCORE:
        verdict = Verdict.DANGER
    elif flags or len(unsure) >= 2 or any(WEIGHTS[f] >= 3 for f in unsure):
        verdict = Verdict.CAUTION
    else:
        verdict = Verdict.CLEAR
    return Assessment(verdict, flags, unsure, score)
