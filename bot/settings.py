"""One typed settings object, read from the environment and `.env`; a bad value stops start-up."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.settings_errors import LOCALES, ConfigError, SettingProblem, config_error
from plan.calendar import SendingCalendar
from plan.holidays import SHIPPED_DECLARED, HolidayFileError, PublicHolidays, load_declared
from plan.loader import SHIPPED_PLAN
from summaries.model import DocumentSettings

__all__ = ["ConfigError", "Settings", "load_settings"]


@dataclass(frozen=True, slots=True)
class ZaloSection:
    """The Zalo channel's settings, all it is given of them."""

    token: str
    api_base: str
    monthly_quota: int
    poll_timeout: int
    webhook_secret: str | None  # set when webhooks are enabled (PUBLIC_BASE_URL and WEBHOOK_SECRET)
    quota_reset: date | None = None  # when Zalo gives a used-up monthly quota back (else: the next month)


@dataclass(frozen=True, slots=True)
class TelegramSection:
    """The Telegram channel's settings, all it is given of them."""

    token: str
    api_base: str
    username: str | None
    max_per_second: float
    private_per_second: float
    group_per_minute: float
    poll_timeout: int
    retry_seconds: float
    webhook_secret: str | None  # set when webhooks are enabled (PUBLIC_BASE_URL and WEBHOOK_SECRET)


class Settings(BaseSettings):
    """Every setting of the bot; mirrored, with comments, in .env.example."""

    # env_ignore_empty: `VAR=` (as .env.example ships) means "use the default", not an empty value.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_ignore_empty=True)

    database_url: str = "sqlite+aiosqlite:///./data/mttq.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: Literal["vi", "en"] = "vi"
    plan_file: Path = SHIPPED_PLAN
    locales_dir: Path = LOCALES
    conversation_ttl_hours: int = Field(default=72, ge=1, le=24 * 60)
    invite_ttl_days: int = Field(default=14, ge=1, le=365)
    petition_answer_days: int = Field(default=30, ge=1, le=365)  # days to answer a petition before staff are told
    reminder_send_start: time = time(7, 30)  # reminders go out only from this time of day (business time)
    reminder_send_end: time = time(20, 0)  # … until this time; outside it they wait for the next allowed slot
    reminder_skip_sundays: bool = True  # no reminders on Sundays (public holidays are always skipped)
    # Days off the government declares each year (e.g. the whole Tết week), on top of the public holidays the
    # `holidays` package knows for any year: plan/holidays.py.
    holidays_file: Path = SHIPPED_DECLARED
    reminder_snooze_days: int = Field(default=3, ge=1, le=60)  # "nhắc lại sau" brings a reminder back after this
    reminder_max_lateness_hours: float = Field(default=24, gt=0)  # after downtime, older reminders are skipped
    reminder_ladder: str | None = None  # days around a deadline, e.g. "-14,-7,-2,0,3"; empty: the plan's ladder
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    tick_seconds: float = Field(default=60, gt=0, le=3600)  # seconds between scheduler ticks (every app.tickers entry)
    # Chats the outbox worker sends to at once (one lane per chat, its messages in order). A crash (kill -9, power
    # cut) can re-send the one message each lane had in flight, as platforms take no idempotency key: at most one
    # per chat. 8 keeps up with Telegram's 30/s at a 200 ms round trip; 1 sends one message per round trip.
    outbox_lanes: int = Field(default=8, ge=1, le=64)
    # Processes that render /tonghop's DOCX, XLSX and chart (summaries/render_pool.py): rendering in the bot's own
    # process held its event loop (every chat) for up to seconds on a large commune. 0: a thread, as before. Two
    # (the default on two cores or more): a /tonghop's XLSX is written by the second meanwhile (parallel_files.py).
    render_processes: int = Field(default_factory=lambda: min(2, os.cpu_count() or 1), ge=0, le=16)
    # A render taking longer is stopped (its process killed) and the job retried, then the reader told.
    render_timeout_seconds: float = Field(default=300, gt=0)
    # Messages one sender may send a minute before the rest of that minute is not handled (one "chậm lại" notice
    # instead): one person or script cannot hold up everyone's replies. Per process; 0 turns the limit off.
    inbound_per_minute: int = Field(default=20, ge=0, le=10_000)
    # A reply a crash interrupted (re-sent after the 2-minute lease) that is older than this is dropped when the
    # person has written again and been answered since, instead of arriving out of context; else it is re-sent.
    stale_reply_seconds: float = Field(default=120, ge=0)
    # A reply that takes longer than this shows "typing…" in the chat (Telegram and Zalo sendChatAction); a summary's
    # files show it from the start of their render.
    working_indicator_seconds: float = Field(default=1.0, ge=0)
    # Retention (Nghị định 13: personal data no longer than needed), purged once a day by bot/retention.py.
    # Sent/failed outbox rows hold message texts. At least 14 days: the quarter-end summary's catch-up week
    # recognises "already sent" by its outbox row, so a shorter period could send a summary twice.
    outbox_retention_days: int = Field(default=90, ge=14, le=3650)
    # The processed-update ledger must remember an update for as long as a platform may deliver it again, or a
    # replay is handled twice. Telegram keeps (and re-posts) an unconfirmed update for at most 24 hours; Zalo
    # publishes no window. 30 days is a wide margin over both; 2 days is the floor.
    ledger_retention_days: int = Field(default=30, ge=2, le=3650)

    telegram_bot_token: SecretStr | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_bot_username: str | None = None  # for invite deep links; asked by getMe when a token is set
    telegram_max_per_second: float = Field(default=30, gt=0)  # Telegram messages per second, all chats together
    telegram_private_per_second: float = Field(default=1, gt=0)  # messages per second to one private chat
    telegram_group_per_minute: float = Field(default=20, gt=0)  # messages per minute to one group
    telegram_poll_timeout: int = Field(default=25, ge=0, le=50)  # seconds one getUpdates long poll waits
    telegram_retry_seconds: float = Field(default=5, ge=0)  # pause after a failed poll before trying again
    zalo_bot_token: SecretStr | None = None
    zalo_api_base: str = "https://bot-api.zaloplatforms.com"
    zalo_monthly_quota: int = Field(default=3000, ge=1)  # outbound Zalo messages per bot per month
    zalo_poll_timeout: int = Field(default=30, ge=1, le=120)  # seconds getUpdates may hold the request
    # When Zalo said the month's quota is used up, every Zalo message waits until this date (YYYY-MM-DD, 00:00
    # business time) if it is ahead, else until the next month.
    zalo_quota_reset: date | None = None
    # The bot's public HTTPS address (an HTTPS reverse proxy in front of WEB_HOST:WEB_PORT, docs/deployment.md).
    # With it set the platforms deliver updates by webhook, the production default; polling is for development.
    public_base_url: str | None = None
    receive_updates: Literal["webhook", "polling"] | None = None  # empty: webhook when PUBLIC_BASE_URL is set
    webhook_secret: SecretStr | None = None
    file_link_secret: SecretStr | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=1, le=65535)
    # /healthz answers 503 (and the admins are told, once) when a running channel has been failing this long …
    health_failing_seconds: float = Field(default=600, gt=0)
    # … or when a reply has waited this long in the outbox.
    health_reply_age_seconds: float = Field(default=600, gt=0)
    web_session_hours: float = Field(default=8, gt=0, le=24 * 30)  # a dashboard session lasts this long (/web)
    # The quarterly report (DOCX): who issues, numbers and signs it, and who receives it.
    report_issuer: str = "ỦY BAN MTTQ VIỆT NAM"  # top line of the header's left column
    report_board: str = "BAN THƯỜNG TRỰC"  # the issuing board, bold under the commune's name
    report_number: str = ""  # register number; empty leaves a blank to fill by hand ("Số:    /BC-MTTQ-BTT")
    report_number_suffix: str = "BC-MTTQ-BTT"  # after the number: kind of document and issuing body
    report_sign_on_behalf: str = "TM. BAN THƯỜNG TRỰC"  # the line above the signer's title
    report_signer_title: str = "CHỦ TỊCH"  # the signer's title
    report_signer_name: str = ""  # the signer's full name; empty leaves a marked blank
    # "Nơi nhận", ";"-separated (a body above the commune gets "(để b/c)" in the DOCX)
    report_recipients: str = "Thường trực Đảng ủy xã;Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh"
    report_party_number_suffix: str = "BC/ĐU"  # Party variant (Hướng dẫn 36-HD/VPTW): "Số 15-BC/ĐU"
    report_party_signer_title: str = "BÍ THƯ"  # Party variant: below "T/M BAN THƯỜNG VỤ"
    report_party_signer_name: str = ""  # Party variant: the signer's full name
    report_party_recipients: str = "Ban Thường vụ Tỉnh ủy;Các đồng chí Đảng ủy viên"  # Party variant "Nơi nhận"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingProblem("config.timezone", value=value) from None
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise SettingProblem("config.database_url")
        return value

    @field_validator("plan_file")
    @classmethod
    def _plan_exists(cls, value: Path) -> Path:
        if not value.is_file():
            raise SettingProblem("config.no_plan_file", path=value)
        return value

    @field_validator("holidays_file")
    @classmethod
    def _declared_holidays(cls, value: Path) -> Path:
        try:
            load_declared(value)
        except HolidayFileError as exc:  # its text names the file, the entry and what is wrong
            raise SettingProblem("config.holidays_file", detail=str(exc)) from None
        return value

    @field_validator("telegram_api_base", "zalo_api_base", "public_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise SettingProblem("config.http_url")
        return value.rstrip("/") if value else value

    @field_validator("public_base_url")
    @classmethod
    def _https_only(cls, value: str | None) -> str | None:
        # Zalo and Telegram call only HTTPS webhooks, and Zalo fetches photos by HTTPS link. Plain http:// is left
        # to this machine's own address (a local fake platform in tests or development).
        if value and not value.startswith("https://") and _host(value) not in LOOPBACK:
            raise SettingProblem("config.https_only")
        return value

    @field_validator("zalo_bot_token")
    @classmethod
    def _zalo_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not ZALO_TOKEN.fullmatch(value.get_secret_value()):
            raise SettingProblem("config.zalo_token")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        # Zalo requires 8–256 characters; Telegram allows only A-Z a-z 0-9 _ - : satisfy both.
        if value is not None:
            secret = value.get_secret_value()
            if not 8 <= len(secret) <= 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret):
                raise SettingProblem("config.webhook_secret")
        return value

    @field_validator("reminder_ladder")
    @classmethod
    def _ladder_days(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            _parse_ladder(value)
        return value or None

    @model_validator(mode="after")
    def _sending_window(self) -> Settings:
        if self.reminder_send_start >= self.reminder_send_end:
            raise SettingProblem("config.sending_window", variable="REMINDER_SEND_START")
        return self

    @model_validator(mode="after")
    def _webhook_needs(self) -> Settings:
        if not (self.zalo_bot_token or self.telegram_bot_token) or self.updates_mode != "webhook":
            return self
        if not self.public_base_url:
            raise SettingProblem("config.webhook_needs_url", variable="RECEIVE_UPDATES")
        if self.webhook_secret is None:
            raise SettingProblem("config.webhook_needs_secret", variable="WEBHOOK_SECRET")
        return self

    @property
    def updates_mode(self) -> str:
        """How the chat platforms deliver updates: "webhook" (PUBLIC_BASE_URL set, the default) or "polling"."""
        return self.receive_updates or ("webhook" if self.public_base_url else "polling")

    @property
    def reminder_ladder_days(self) -> tuple[int, ...] | None:
        return _parse_ladder(self.reminder_ladder) if self.reminder_ladder else None

    def sending_calendar(self) -> SendingCalendar:
        """When the bot may send what nobody asked for just now (reminders, notices, summaries); built once."""
        return SendingCalendar(self.tz, start=self.reminder_send_start, end=self.reminder_send_end,
                               holidays=PublicHolidays(load_declared(self.holidays_file)),
                               skip_sundays=self.reminder_skip_sundays)

    def document_settings(self) -> DocumentSettings:
        """The quarterly report's issuer, signer and recipients, as the renderers take them."""
        def names(value: str) -> tuple[str, ...]:
            return tuple(part.strip() for part in value.split(";") if part.strip())

        return DocumentSettings(
            issuer=self.report_issuer, board=self.report_board, number=self.report_number,
            number_suffix=self.report_number_suffix, sign_on_behalf=self.report_sign_on_behalf,
            signer_title=self.report_signer_title, signer_name=self.report_signer_name,
            recipients=names(self.report_recipients), party_number_suffix=self.report_party_number_suffix,
            party_signer_title=self.report_party_signer_title, party_signer_name=self.report_party_signer_name,
            party_recipients=names(self.report_party_recipients))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def webhooks_enabled(self) -> bool:
        return self.updates_mode == "webhook" and bool(self.public_base_url and self.webhook_secret)

    def zalo_section(self) -> ZaloSection:
        return ZaloSection(token=_plain(self.zalo_bot_token), api_base=self.zalo_api_base,
                           monthly_quota=self.zalo_monthly_quota, poll_timeout=self.zalo_poll_timeout,
                           webhook_secret=self._webhook_secret(), quota_reset=self.zalo_quota_reset)

    def telegram_section(self) -> TelegramSection:
        return TelegramSection(
            token=_plain(self.telegram_bot_token), api_base=self.telegram_api_base,
            username=self.telegram_bot_username or None, max_per_second=self.telegram_max_per_second,
            private_per_second=self.telegram_private_per_second, group_per_minute=self.telegram_group_per_minute,
            poll_timeout=self.telegram_poll_timeout, retry_seconds=self.telegram_retry_seconds,
            webhook_secret=self._webhook_secret())

    def _webhook_secret(self) -> str | None:
        return self.webhook_secret.get_secret_value() if self.webhooks_enabled else None


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
ZALO_TOKEN = re.compile(r"\d+:[!-~]+")  # the bot's numeric id, a colon, a secret of printable ASCII


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _plain(secret: SecretStr | None) -> str:
    return secret.get_secret_value() if secret is not None else ""


def _parse_ladder(text: str) -> tuple[int, ...]:
    """Parse "-14,-7,-2,0,3" into (-14, -7, -2, 0, 3): days around a deadline, within a year of it."""
    try:
        days = tuple(sorted({int(part) for part in text.replace(" ", "").split(",") if part}))
    except ValueError:
        raise SettingProblem("config.ladder") from None
    if not days or any(abs(day) > 366 for day in days):
        raise SettingProblem("config.ladder")
    return days


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning a validation failure into one line that names the variable (ConfigError)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise config_error(exc.errors(include_url=False)[0], Settings.model_fields) from None
