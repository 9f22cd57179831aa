"""Routers, one factory per feature. The composition root includes them in `build_routers()` order."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    agency,
    broadcast,
    checklist,
    consultants,
    errors,
    escalation,
    guide,
    membership,
    privacy,
    profile,
    screening,
    search,
    sections,
    start,
    stats,
)


def build_routers() -> list[Router]:
    return [
        errors.router(),
        membership.router(),
        agency.early_router(),
        broadcast.router(),
        stats.router(),
        start.router(),
        profile.router(),
        privacy.router(),
        consultants.router(),
        screening.router(),
        escalation.router(),
        checklist.router(),
        agency.router(),
        guide.router(),
        sections.router(),
        search.router(),
    ]
