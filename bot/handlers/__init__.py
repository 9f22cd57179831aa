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
    """Every router, in the order an update tries them: the first handler whose filters match takes it."""
    return [
        errors.router(),  # not a handler of updates: logs a failure without its text, says sorry to the person
        membership.router(),  # blocked / unblocked: only my_chat_member updates, nobody else's business
        agency.early_router(),  # leaving the agency check ends it; admins' registry files are never relayed as a case's message
        broadcast.router(),  # an admin writing an announcement: their text must not be searched or relayed
        stats.router(),  # admins' /admin and /stats: commands no other router takes
        start.router(),  # /start, /menu, /language, /help work from anywhere, even in the middle of a flow
        profile.router(),  # citizenship and destination typed as text while asked (even with a case open)
        privacy.router(),  # /forget works from anywhere, an open case included
        desk.router(),  # consultants: Take in the group; their commands and replies, before a person's router reads them
        selfcheck.router(),  # the self-check: its answers are buttons only
        consult.router(),  # asking for a consultant; while a case is open, what the person sends goes to the consultant
        checklist.router(),  # the checklist and a date typed while asked (after the case relay: help comes first)
        agency.router(),  # the agency check: a name typed while asked; red flags; the report
        guide.router(),  # guidance, country guides, contacts: buttons and commands only
        search.router(),  # last: any other text with no flow in progress is a question to search
    ]
