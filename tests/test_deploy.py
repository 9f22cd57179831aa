"""The files a sysadmin runs the bot with, checked as far as these machines allow (no container runs
here): the Dockerfile by hadolint, the systemd units by `systemd-analyze verify`, the compose file's two
set-ups read as compose reads them, and the container's entrypoint script itself, run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def test_the_dockerfile_passes_hadolint_and_runs_as_no_one_in_particular() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    done = subprocess.run([hadolint, "--failure-threshold", "info", str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (ROOT / "Dockerfile").read_text()
    assert "USER 10001:10001" in text and 'VOLUME ["/data"]' in text and "DATABASE_PATH=/data/" in text
    assert "HEALTHCHECK" in text and "/healthz" in text and 'ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]' in text
    for needed in ("bot", "content", "locales", "samples", "deploy/entrypoint.sh"):
        assert f"COPY {needed} " in text or f"COPY {needed}\n" in text, needed


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
@pytest.mark.parametrize("units", [("migrant-bot.service",), ("migrant-bot-backup.service", "migrant-bot-backup.timer")])
def test_the_systemd_units_verify(tmp_path: Path, units: tuple[str, ...]) -> None:
    # the units name /opt/migrant-bot: here, this checkout (whose .venv has the python they start)
    paths = []
    for name in units:
        path = tmp_path / name
        path.write_text((DEPLOY / name).read_text().replace("/opt/migrant-bot/.venv/bin/python", sys.executable)
                        .replace("/opt/migrant-bot", str(ROOT)))
        paths.append(str(path))
    done = subprocess.run(["systemd-analyze", "verify", *paths], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    service = (DEPLOY / "migrant-bot.service").read_text()
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/opt/migrant-bot/data", "UMask=0077",
                      "Restart=on-failure", "ExecStartPre=/opt/migrant-bot/.venv/bin/python -m bot check", "CapabilityBoundingSet="):
        assert hardening in service, hardening


def test_compose_has_the_two_set_ups_and_no_secret_in_it() -> None:
    text = (ROOT / "compose.yaml").read_text()
    compose = yaml.safe_load(text)
    services = compose["services"]
    by_profile: dict[str, set[str]] = {}
    for name, service in services.items():
        for profile in service["profiles"]:
            by_profile.setdefault(profile, set()).add(name)
    assert by_profile == {"embedded": {"bot"}, "scaled": {"bot-a", "bot-b", "postgres", "redis", "proxy"}}
    bots = {name: services[name] for name in ("bot", "bot-a", "bot-b")}
    for name, service in bots.items():
        assert service["build"] == "." and service["env_file"] == ".env" and "/healthz" in " ".join(service["healthcheck"]["test"])
        assert any(volume.endswith(":/data") for volume in service["volumes"]), name
    assert bots["bot-a"]["environment"]["INSTANCE_NAME"] != bots["bot-b"]["environment"]["INSTANCE_NAME"]
    assert bots["bot-a"]["environment"]["DATABASE_URL"] == bots["bot-b"]["environment"]["DATABASE_URL"]
    assert services["bot"]["ports"] == ["127.0.0.1:9090:9090"]  # metrics for this machine only
    assert "BOT_TOKEN" not in text.split("# Settings and secrets come from .env")[1].split("\n", 1)[1]  # secrets: .env only
    assert "${POSTGRES_PASSWORD:?" in text
    caddy = (DEPLOY / "Caddyfile").read_text()
    assert "bot-a:8080 bot-b:8080" in caddy and "/telegram*" in caddy


def _entrypoint(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "BOT_", "CONTENT_"))}
    return subprocess.run(["sh", str(DEPLOY / "entrypoint.sh"), *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**base, "PYTHON": sys.executable, **env})


def test_the_entrypoint_checks_before_it_runs_and_passes_other_commands_on(tmp_path: Path) -> None:
    broken = tmp_path / "content"
    shutil.copytree(ROOT / "content", broken)
    page = next(broken.glob("ru/*.yaml"))
    page.write_text("{ this is: [not yaml\n", encoding="utf-8")
    refused = _entrypoint("run", CONTENT_DIR=str(broken), DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    assert refused.returncode != 0 and page.name in refused.stdout + refused.stderr
    assert not (tmp_path / "bot.sqlite3").exists()  # `run` never started
    default = _entrypoint(CONTENT_DIR=str(broken), DATABASE_PATH=str(tmp_path / "bot.sqlite3"))  # no command: run
    assert default.returncode == refused.returncode and not (tmp_path / "bot.sqlite3").exists()
    other = _entrypoint("backup", DATABASE_PATH=str(tmp_path / "none.sqlite3"))
    assert other.returncode == 1 and "no database" in other.stderr  # passed to the bot as given, no check first


def test_the_env_example_names_what_compose_needs_and_loads_as_it_is(tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text()
    for needed in ("BOT_TOKEN", "ADMIN_IDS", "CONSULTANT_CHAT_ID", "WEBHOOK_URL", "WEBHOOK_SECRET", "BOT_DOMAIN", "POSTGRES_PASSWORD"):
        assert f"# {needed}=" in example, needed
    (tmp_path / ".env").write_text(example)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "BOT_", "ADMIN_", "CONSULTANT_"))}
    done = subprocess.run([sys.executable, "-c", "from bot.config import load_settings; load_settings(); print('loaded')"],
                          cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "loaded", done.stderr
