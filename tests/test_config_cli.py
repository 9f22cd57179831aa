"""Configuration errors name the variable in one line; the CLI's check and run behave."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings
from tests.conftest import ROOT


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "TELEGRAM_", "DATABASE_", "ADMIN_", "CONSULTANT_", "DEFAULT_LANG"))}
    env.update(values)
    return env


def test_defaults() -> None:
    settings = Settings(_env_file=None)
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_path == Path("data/bot.sqlite3")
    assert settings.default_language == "ru" and settings.admin_ids == frozenset()


@pytest.mark.parametrize(
    "variable, value, expected",
    [
        ("ADMIN_IDS", "12, abc", "ADMIN_IDS: expected comma-separated Telegram ids, got 'abc'"),
        ("DEFAULT_LANGUAGE", "en", "DEFAULT_LANGUAGE:"),
        ("CONSULTANT_CHAT_ID", "group", "CONSULTANT_CHAT_ID:"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN: does not look like a bot token"),
        ("TELEGRAM_API_URL", "api.telegram.org", "TELEGRAM_API_URL: must be an http:// or https:// URL"),
        ("HEALTH_LISTEN", "9090", "HEALTH_LISTEN: must be host:port"),
    ],
)
def test_bad_values_are_named(monkeypatch, variable: str, value: str, expected: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None)
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


def test_parsed_values(monkeypatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1, 2,3")
    monkeypatch.setenv("CONSULTANT_CHAT_ID", "-100200300")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    settings = load_settings(_env_file=None)
    assert settings.admin_ids == {1, 2, 3}
    assert settings.consultant_chat_id == -100200300
    assert settings.telegram_api_url == "http://127.0.0.1:8081"


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=_env(**env), capture_output=True, text=True, timeout=60
    )


def test_cli_bad_config_is_one_line_without_traceback(tmp_path) -> None:
    result = _cli("run", ADMIN_IDS="x", DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode == 2
    assert result.stderr.strip() == "Configuration error: ADMIN_IDS: expected comma-separated Telegram ids, got 'x'"


@pytest.mark.slow(5)
def test_cli_run_without_token(tmp_path) -> None:
    result = _cli("run", DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode == 2
    assert "BOT_TOKEN: not set" in result.stderr and "Traceback" not in result.stderr


def test_cli_check_passes_on_the_repository(tmp_path) -> None:
    result = _cli("check", DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check passed" in result.stdout


def test_cli_check_reports_every_problem(tmp_path) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    for lang in ("ru", "ky", "tg", "uz"):
        (content / lang / "pages.yaml").write_text("about: text {nope}\n", encoding="utf-8")
    (content / "ky" / "search.yaml").unlink()
    result = _cli("check", CONTENT_DIR=str(content), DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode == 1
    assert result.stdout.count("placeholder {nope} names no fact") == 4
    assert "content/ky/search.yaml: file is missing" in result.stdout
    assert "check failed" in result.stdout


@pytest.mark.slow(5)
def test_try_runs_in_the_terminal(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "try", "--lang", "ky"], cwd=ROOT, env=_env(DATABASE_PATH=str(tmp_path / "t.sqlite3")),
        input="1\n/menu\n/quit\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Кыргызча" not in result.stdout  # --lang chose the language: no picker (issue 25; it used to be the phone's language)
    assert "Кош келиңиз!" in result.stdout and "Башкы меню" in result.stdout  # the welcome in Kyrgyz
    assert "🧳 Жолго чыгаардан мурун" in result.stdout  # tapped button 1 of the menu: the guide
    assert " INFO " not in result.stdout and result.stderr == ""  # logs go to a file, never into the chat
    assert "is handled" in (tmp_path / "try.log").read_text(encoding="utf-8")


@pytest.mark.slow(5)
def test_cli_agencies_import_is_all_or_nothing(tmp_path) -> None:
    db = str(tmp_path / "db.sqlite3")
    loaded = _cli("agencies", "import", "samples/agencies/kg.yaml", DATABASE_PATH=db)
    assert loaded.returncode == 0, loaded.stderr
    assert "KG: 8 agencies imported (replacing 0), list of 2026-11-01" in loaded.stdout
    assert "SAMPLE" in loaded.stdout

    bad = tmp_path / "kg.csv"
    bad.write_text(
        "name,permit,valid_to,status,destinations\n"
        "Good Agency,A-1,2027-01-01,active,TR\n"
        "Bad Agency,A-2,2027-13-01,active,Turkey\n",
        encoding="utf-8",
    )
    refused = _cli("agencies", "import", str(bad), "--country", "KG", "--source", "https://example.org", "--date", "2026-11-20", DATABASE_PATH=db)
    assert refused.returncode == 1
    assert "nothing imported: 2 problem(s)" in refused.stdout
    assert "line 3 valid_to: is not a date (YYYY-MM-DD or DD.MM.YYYY): '2027-13-01'" in refused.stdout
    assert "line 3 destinations: is not a two-letter country code (RU, TR, KR...): 'TURKEY'" in refused.stdout
    listed = _cli("agencies", "list", DATABASE_PATH=db)
    assert "KG: 8 agencies, list of 2026-11-01" in listed.stdout  # unchanged

    bad.write_text("name,permit,valid_to,status,destinations\nGood Agency,A-1,2027-01-01,active,TR\n", encoding="utf-8")
    good = _cli("agencies", "import", str(bad), "--country", "KG", "--source", "https://example.org", "--date", "2026-11-20", DATABASE_PATH=db)
    assert good.returncode == 0 and "KG: 1 agencies imported (replacing 8)" in good.stdout
    assert "KG: 1 agencies, list of 2026-11-20" in _cli("agencies", "list", DATABASE_PATH=db).stdout


@pytest.mark.slow(7)
def test_try_loads_the_sample_registries_and_checks_an_agency(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "try", "--lang", "ru"], cwd=ROOT, env=_env(DATABASE_PATH=str(tmp_path / "t.sqlite3")),
        input="1\n/agency\nAlatoo jumysh\n/quit\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Sample agency registries loaded (invented, every result says TEST DATA): KG 8," in result.stdout
    assert "ОсОО «Ала-Тоо Жумуш»" in result.stdout and "ТЕСТОВЫЕ ДАННЫЕ" in result.stdout
