"""One typed settings object, read from the environment and `.env`; a bad value stops start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from plan.loader import SHIPPED_PLAN


class ConfigError(Exception):
    """A setting with a bad value; the message is one line naming the variable."""


class Settings(BaseSettings):
    """Every setting of the bot; mirrored, with comments, in .env.example."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./data/mttq.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: Literal["vi", "en"] = "vi"
    plan_file: Path = SHIPPED_PLAN
    locales_dir: Path = Path(__file__).resolve().parent.parent / "locales"
    conversation_ttl_hours: int = Field(default=72, ge=1, le=24 * 60)
    invite_ttl_days: int = Field(default=14, ge=1, le=365)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    zalo_bot_token: SecretStr | None = None
    zalo_api_base: str = "https://bot-api.zaloplatforms.com"
    public_base_url: str | None = None
    webhook_secret: SecretStr | None = None
    file_link_secret: SecretStr | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB")
        return value

    @field_validator("plan_file")
    @classmethod
    def _plan_exists(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"no plan file at {value}")
        return value

    @field_validator("telegram_api_base", "zalo_api_base", "public_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Zalo requires 8–256 characters; Telegram allows only A-Z a-z 0-9 _ - : satisfy both.
        if value is not None:
            secret = value.get_secret_value()
            if not 8 <= len(secret) <= 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret):
                raise ValueError("must be 8–256 characters of A-Z, a-z, 0-9, _ or -")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def webhooks_enabled(self) -> bool:
        return bool(self.public_base_url and self.webhook_secret)


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning a validation failure into one line that names the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        variable = str(error["loc"][0]).upper() if error["loc"] else "SETTINGS"
        message = error["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{variable}: {message}") from None
