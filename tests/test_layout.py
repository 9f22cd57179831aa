"""The shape of the house, checked: what may import aiogram, where SQL lives, how long a function is,
what stands at the root of `bot/`. A newcomer reads the tree in README "How it is built"; these tests
keep the tree telling the truth."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"

# Rooms that may talk to aiogram: they are the Telegram side of the bot.
TELEGRAM_SIDE = ("bot.handlers", "bot.screens", "bot.telegram", "bot.jobs", "bot.middlewares", "bot.sandbox", "bot.cli")
TELEGRAM_MODULES = ("bot.app", "bot.i18n", "bot.callbacks", "bot.states", "bot.__main__")
# Rooms that never import aiogram, not even through another module of the bot.
PURE = ("bot.services", "bot.storage", "bot.content", "bot.models", "bot.config")
# The root of bot/: the composition root and the few modules every room shares.
ROOT_MODULES = {"__init__", "__main__", "app", "config", "i18n", "models", "callbacks", "states"}
MAX_FUNCTION_LINES = 60
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|WITH|REPLACE)\b.*\b(FROM|INTO|SET|TABLE|INDEX|VALUES|WHERE|SELECT)\b",
                 re.DOTALL)


def _modules() -> dict[str, Path]:
    found = {}
    for path in BOT.rglob("*.py"):
        parts = path.relative_to(BOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


@cache
def _tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text(encoding="utf-8"))


def _imports(name: str) -> set[str]:
    """Every module this one imports, anywhere in it (functions included)."""
    out: set[str] = set()
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return out


def _aiogram_path(name: str) -> list[str] | None:
    """The chain of imports by which `name` reaches aiogram, or None."""
    seen: set[str] = set()
    stack: list[tuple[str, list[str]]] = [(name, [name])]
    while stack:
        current, chain = stack.pop()
        for imported in sorted(_imports(current)):
            if imported == "aiogram" or imported.startswith("aiogram."):
                return [*chain, imported]
            # importing a.b.c runs a and a.b too
            parts = imported.split(".")
            for i in range(1, len(parts) + 1):
                module = ".".join(parts[:i])
                if module in MODULES and module not in seen:
                    seen.add(module)
                    stack.append((module, [*chain, module]))
    return None


def _in(name: str, rooms: tuple[str, ...]) -> bool:
    return any(name == room or name.startswith(room + ".") for room in rooms)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _in(n, PURE)))
def test_services_storage_and_content_never_reach_aiogram(name: str) -> None:
    chain = _aiogram_path(name)
    assert chain is None, " -> ".join(chain or [])


def test_only_the_telegram_side_imports_aiogram() -> None:
    offenders = sorted(
        name for name in MODULES
        if not _in(name, TELEGRAM_SIDE) and name not in TELEGRAM_MODULES
        and any(i == "aiogram" or i.startswith("aiogram.") for i in _imports(name))
    )
    assert offenders == []


def test_sql_lives_in_storage() -> None:
    offenders = []
    for name in MODULES:
        if _in(name, ("bot.storage",)):
            continue
        for node in ast.walk(_tree(name)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_no_function_is_longer_than_a_screen() -> None:
    long = []
    for name in MODULES:
        for node in ast.walk(_tree(name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name}: {lines} lines")
    assert long == []


def test_the_root_holds_only_the_composition_root_and_shared_modules() -> None:
    root = {path.stem for path in BOT.glob("*.py")}
    assert root == ROOT_MODULES


def test_every_room_is_a_package_with_a_docstring() -> None:
    """Each folder says in one line what kind of room it is (README "How it is built" repeats them)."""
    rooms = sorted(path.parent for path in BOT.rglob("__init__.py"))
    missing = [str(room.relative_to(BOT.parent)) for room in rooms if ast.get_docstring(ast.parse((room / "__init__.py").read_text())) is None]
    assert missing == []


def test_the_checker_sees_what_it_should() -> None:
    """The rules above would catch a breach: a known import chain and known SQL are found."""
    assert _aiogram_path("bot.handlers.start") is not None
    assert any(SQL.match(node.value) for node in ast.walk(_tree("bot.storage.calls"))
               if isinstance(node, ast.Constant) and isinstance(node.value, str))
    assert not SQL.match("Select a country from the list")


def test_every_button_prefix_is_its_own() -> None:
    """Two CallbackData classes with one prefix would take each other's buttons (the referral's "rf" once
    took the agency red flags' taps): each prefix names one class."""
    import inspect

    from aiogram.filters.callback_data import CallbackData

    from bot import callbacks

    prefixes = [cls.__prefix__ for _name, cls in inspect.getmembers(callbacks, inspect.isclass)
                if issubclass(cls, CallbackData) and cls is not CallbackData]
    assert len(prefixes) > 10 and len(prefixes) == len(set(prefixes)), sorted(prefixes)
