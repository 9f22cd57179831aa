"""Start-up stays light: `check`, `i18n` and `--help` never import aiogram; a bot built again in one process reads
its content, catalogs and search index once; every command is still listed by --help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import require_content
from bot.content.catalogs import compiled, po_path
from bot.services.search import SearchIndex

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL", "REDIS_URL")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_and_i18n_do_not_import_aiogram() -> None:
    done = _python(
        "import sys\n"
        "from bot.cli import main, parser\n"
        "code = main(['check'])\n"
        "parser(['i18n', '--help'][:1])\n"
        "import bot.content.catalogs\n"
        "print('exit', code, 'aiogram' in sys.modules, [m for m in sys.modules if m.startswith('bot.cli.')])\n"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("exit 0 False"), done.stdout[-2000:]
    assert "bot.cli.run" not in last and "bot.cli.tryout" not in last  # only the command asked for is loaded


@pytest.mark.slow(5)
def test_help_lists_every_command() -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert " aiogram\n" not in done.stderr  # every command's module is loaded, none of them loads aiogram to say what it does
    for command in ("run", "try", "check", "i18n", "qr", "links", "agencies", "stats", "broadcast", "db", "backup", "restore"):
        assert f"    {command} " in done.stdout or f"    {command}\n" in done.stdout, (command, done.stdout)
    typo = subprocess.run([sys.executable, "-m", "bot", "chek"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert typo.returncode == 2 and "invalid choice" in typo.stderr


def test_content_catalogs_and_index_are_built_once_per_version(tmp_path: Path) -> None:
    content = tmp_path / "content"
    subprocess.run(["cp", "-r", str(ROOT / "content"), str(content)], check=True)
    first = require_content(content)
    assert require_content(content) is first
    assert SearchIndex.of(first) is SearchIndex.of(first)
    page = next(content.glob("ru/*.yaml"))
    page.write_text(page.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # any change: read again
    again = require_content(content)
    assert again is not first
    assert SearchIndex.of(again) is not SearchIndex.of(first)

    locales = tmp_path / "locales"
    subprocess.run(["cp", "-r", str(ROOT / "locales"), str(locales)], check=True)
    path = po_path(locales, "ky")
    kept = compiled(path, "ky")
    assert compiled(path, "ky") is kept
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert compiled(path, "ky") is not kept
