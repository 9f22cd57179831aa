"""Configuration: every environment variable the bot reads, validated once at start.

The variable names are the bot's public interface: keep them stable.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LanguageCode = Literal["ru", "ky", "tg", "uz"]

TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
# A token the in-process sandbox accepts; never valid on real Telegram.
SANDBOX_TOKEN = "1000000001:SANDBOX-token-for-local-use-only"


class ConfigError(Exception):
    """Configuration is invalid; the message names the variables, one per line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: SecretStr | None = Field(default=None, description="Bot token from @BotFather")
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Base URL of the Bot API server (self-hosted server or the sandbox)",
    )
    database_path: Path = Field(default=Path("data/bot.sqlite3"))
    database_url: str | None = Field(default=None, description="postgresql://user:password@host:5432/db; unset: SQLite at DATABASE_PATH")
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default=frozenset())
    consultant_chat_id: int | None = None
    default_language: LanguageCode = "ru"
    bot_username: str | None = Field(default=None, pattern=r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$", description="for deep links and QR codes")
    content_dir: Path = Field(default=Path(__file__).resolve().parent.parent / "content")
    locales_dir: Path = Field(default=Path(__file__).resolve().parent.parent / "locales")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    ngo_name: str = Field(default="", max_length=60, description="signs consultants' messages: 'Consultant, <NGO_NAME>'")
    teams_file: Path | None = Field(default=None, description="YAML routing cases to several consultants' groups")
    working_hours: str | None = Field(default=None, description="of the CONSULTANT_CHAT_ID team, e.g. 'mon-fri 09:00-18:00 Asia/Bishkek'")
    realert_minutes: int = Field(default=10, ge=1, le=24 * 60, description="a case not taken is alerted again after this")
    hotlines_minutes: int = Field(default=30, ge=1, le=24 * 60, description="a person still waiting gets the hotlines after this")
    checkin_wait_minutes: int = Field(default=120, ge=1, le=24 * 60,
                                      description="a check-in not answered is asked again after this, and raised this long after that")
    retention_days: int = Field(default=90, ge=1, le=3650, description="messages of closed cases are deleted after this")
    weekly_digest: bool = Field(default=True, description="send admins last week's figures every Monday")
    admin_timezone: str = Field(default="Asia/Tashkent", description="the admins' clock: when a scheduled announcement goes")
    max_in_flight: int = Field(default=16, ge=1, le=10_000, description="updates handled at once; more wait with Telegram")
    webhook_url: str | None = Field(default=None, description="the public https URL Telegram posts updates to (webhook mode)")
    webhook_secret: SecretStr | None = Field(default=None, description="checked on every update Telegram posts")
    webhook_listen: str = Field(default="127.0.0.1:8080", description="host:port the webhook server listens on, behind the proxy")
    health_listen: str | None = Field(default=None, description="host:port of /healthz, /readyz and /metrics (unset: off)")
    sentry_dsn: SecretStr | None = Field(default=None, description="errors reported to Sentry, scrubbed (unset: off)")
    sentry_environment: str | None = Field(default=None, description="Sentry's environment name (production, staging...)")
    log_format: Literal["text", "json"] = Field(default="text", description="text, or json: one JSON object per line")
    redis_url: str | None = Field(default=None, description="redis://host:6379/0: several instances share conversation state, order and pace")
    redis_prefix: str = Field(default="migrant-bot", pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="the start of every Redis key of this bot's")
    redis_lock_seconds: int = Field(default=60, ge=10, le=600,
                                    description="how long a person's lock in Redis outlives an instance that died holding it")
    instance_name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,64}$",
                                      description="this process among several (REDIS_URL set); default: the host's name")

    @field_validator("admin_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"not a time zone: {value!r} (e.g. Asia/Bishkek, Asia/Dushanbe, Asia/Tashkent)") from None
        return value

    def admin_zone(self) -> ZoneInfo:
        return ZoneInfo(self.admin_timezone)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not TOKEN_RE.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token (expected 123456:ABC..., from @BotFather)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL, e.g. https://api.telegram.org")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            bad = [p for p in parts if not re.fullmatch(r"-?\d+", p)]
            if bad:
                raise ValueError(f"expected comma-separated Telegram ids, got {bad[0]!r}")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if value.startswith("sqlite:///"):
            return value
        if not re.match(r"^(postgresql|postgres|postgresql\+asyncpg)://[^\s/]+/[^\s/]+$", value):
            raise ValueError("must be postgresql://user:password@host:5432/database (or sqlite:///path)")
        return value

    @property
    def database(self) -> str | Path:
        """What the bot's data lives in: DATABASE_URL when set, else the SQLite file at DATABASE_PATH."""
        return self.database_url or self.database_path

    def database_name(self) -> str:
        """The database, as a log line may name it (never a password)."""
        return database_name(self.database_url or self.database_path)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not re.match(r"^rediss?://[^\s/]+(/\d+)?$", value):
            raise ValueError("must be redis://host:6379/0 (or rediss:// for TLS; a password goes as redis://:password@host:6379/0)")
        return value

    @property
    def shared(self) -> bool:
        """Several instances may run: they share Redis (conversation state, per-chat order, pace) and the database."""
        return self.redis_url is not None

    def instance(self) -> str:
        """This process's name among the instances: INSTANCE_NAME, else the host's name ("main" when it runs alone)."""
        if self.instance_name:
            return self.instance_name
        if not self.shared:
            return "main"
        host = re.sub(r"[^A-Za-z0-9_.-]", "-", socket.gethostname())[:64]
        return host or "main"

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not re.match(r"^https://[^\s/:]+(:(443|80|88|8443))?(/\S*)?$", value):
            raise ValueError("must be an https:// URL on port 443, 80, 88 or 8443 (Telegram's rule), e.g. https://bot.example.org/telegram")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value.get_secret_value().strip()):
            raise ValueError("16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule; at least 16 to be hard to guess)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, e.g. 127.0.0.1:8080")
        return value.strip()

    @field_validator("health_listen", mode="before")
    @classmethod
    def _health_listen(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return cls._listen(str(value))

    def health_address(self) -> tuple[str, int] | None:
        """(host, port) of /healthz, /readyz and /metrics, or None: off."""
        return _address(self.health_listen) if self.health_listen is not None else None

    def require_webhook(self) -> tuple[str, str, str, int]:
        """(public URL, secret, host, port) for webhook mode, or a ConfigError naming what is missing."""
        missing = [name for name, value in (("WEBHOOK_URL", self.webhook_url), ("WEBHOOK_SECRET", self.webhook_secret)) if value is None]
        if missing:
            raise ConfigError("\n".join(
                f"{name}: not set; webhook mode needs the public https URL and a secret (see README, "
                f"\"When one machine is not enough\")" for name in missing
            ))
        assert self.webhook_url is not None and self.webhook_secret is not None
        return self.webhook_url, self.webhook_secret.get_secret_value(), *_address(self.webhook_listen)

    @field_validator("consultant_chat_id", "teams_file", "working_hours", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("working_hours")
    @classmethod
    def _hours_shape(cls, value: str | None) -> str | None:
        if value is not None:
            from bot.services.teams import Hours, TeamsError

            try:
                Hours.parse(value)
            except TeamsError as error:
                raise ValueError(str(error)) from None
        return value

    @field_validator("consultant_chat_id")
    @classmethod
    def _group_id(cls, value: int | None) -> int | None:
        if value is not None and value >= 0:
            raise ValueError("must be the id of a group (a negative number such as -1001234567890)")
        return value

    def require_token(self) -> str:
        if self.bot_token is None:
            raise ConfigError(
                "BOT_TOKEN: not set; get a token from @BotFather, or use `python -m bot try` "
                "to chat with the bot locally without one"
            )
        return self.bot_token.get_secret_value()


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "CONFIG"
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{name}: {message}")
    return "\n".join(lines)


def _address(listen: str) -> tuple[str, int]:
    """A checked host:port (an IPv6 host may come in brackets) as (host, port)."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


def database_name(target: str | Path) -> str:
    """A database (a path, sqlite:///path or postgresql://...) as it may be printed: never a password."""
    text = str(target)
    if text.startswith("postgres"):
        return "PostgreSQL " + text.split("://", 1)[1].rsplit("@", 1)[-1]
    return text


def load_settings(**overrides: object) -> Settings:
    """Read the environment (and .env); raise ConfigError with one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
