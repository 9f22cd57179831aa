"""Routers, one factory per feature. The composition root includes them in `build_routers()` order."""

from __future__ import annotations

from aiogram import Router

from bot.handlers import errors, guide, membership, privacy, profile, search, sections, start


def build_routers() -> list[Router]:
    return [
        errors.router(),
        membership.router(),
        start.router(),
        profile.router(),
        privacy.router(),
        guide.router(),
        sections.router(),
        search.router(),
    ]
