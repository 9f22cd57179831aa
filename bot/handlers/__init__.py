"""Routers, one factory per feature. The composition root includes them in `build_routers()` order."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import (
    agency,
    broadcast,
    checklist,
    consult,
    desk,
    errors,
    guide,
    membership,
    privacy,
    profile,
    search,
    selfcheck,
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
        desk.router(),
        selfcheck.router(),
        consult.router(),
        checklist.router(),
        agency.router(),
        guide.router(),
        search.router(),
    ]
