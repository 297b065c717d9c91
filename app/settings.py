"""Settings from the environment (and an optional `.env`), validated once at start.

Names follow design.md §7. Secrets are `SecretStr`, so they never show in a repr or a log line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """The configuration is missing something or has a wrong value; the message says what."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    """Every knob genba reads, with its environment variable name."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        populate_by_name=True,
    )

    line_channel_secret: SecretStr | None = Field(
        None, validation_alias=_env("LINE_CHANNEL_SECRET")
    )
    line_channel_access_token: SecretStr | None = Field(
        None, validation_alias=_env("LINE_CHANNEL_ACCESS_TOKEN")
    )
    # When set, every LINE call (content downloads included) goes to this base URL.
    line_api_base_url: str | None = Field(None, validation_alias=_env("LINE_API_BASE_URL"))
    data_dir: Path = Field(Path("./var"), validation_alias=_env("GENBA_DATA_DIR"))
    database_url: str | None = Field(None, validation_alias=_env("DATABASE_URL"))
    media_store_url: str | None = Field(None, validation_alias=_env("MEDIA_STORE_URL"))

    timezone: str = Field("Asia/Tokyo", validation_alias=_env("GENBA_TIMEZONE"))
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=_env("GENBA_LOG_LEVEL")
    )
    sqlite_synchronous: Literal["NORMAL", "FULL", "EXTRA"] = Field(
        "FULL", validation_alias=_env("GENBA_SQLITE_SYNCHRONOUS")
    )

    worker_conversation_threads: int = Field(
        2, ge=1, le=32, validation_alias=_env("GENBA_WORKER_CONVERSATION_THREADS")
    )
    worker_media_threads: int = Field(
        2, ge=1, le=32, validation_alias=_env("GENBA_WORKER_MEDIA_THREADS")
    )
    job_max_attempts: int = Field(10, ge=1, le=50, validation_alias=_env("GENBA_JOB_MAX_ATTEMPTS"))
    job_backoff_base_seconds: float = Field(
        2.0, gt=0, le=3600, validation_alias=_env("GENBA_JOB_BACKOFF_BASE_SECONDS")
    )
    job_backoff_max_seconds: float = Field(
        600.0, gt=0, le=86400, validation_alias=_env("GENBA_JOB_BACKOFF_MAX_SECONDS")
    )
    job_lease_seconds: float = Field(
        60.0, ge=1, le=3600, validation_alias=_env("GENBA_JOB_LEASE_SECONDS")
    )
    worker_poll_seconds: float = Field(
        0.5, gt=0, le=60, validation_alias=_env("GENBA_WORKER_POLL_SECONDS")
    )
    shutdown_grace_seconds: float = Field(
        20.0, ge=0, le=600, validation_alias=_env("GENBA_SHUTDOWN_GRACE_SECONDS")
    )
    # LINE documents about one minute; we stop trying a little earlier.
    reply_token_ttl_seconds: float = Field(
        50.0, gt=0, le=600, validation_alias=_env("GENBA_REPLY_TOKEN_TTL_SECONDS")
    )
    line_timeout_seconds: float = Field(
        10.0, gt=0, le=300, validation_alias=_env("GENBA_LINE_TIMEOUT_SECONDS")
    )

    idle_timeout_minutes: int = Field(
        30, ge=1, le=7 * 24 * 60, validation_alias=_env("GENBA_IDLE_TIMEOUT_MINUTES")
    )
    max_media_per_submission: int = Field(
        20, ge=1, le=100, validation_alias=_env("GENBA_MAX_MEDIA_PER_SUBMISSION")
    )
    max_image_bytes: int = Field(
        50 * 1024 * 1024, ge=1024, validation_alias=_env("GENBA_MAX_IMAGE_BYTES")
    )
    max_image_pixels: int = Field(
        40_000_000, ge=10_000, validation_alias=_env("GENBA_MAX_IMAGE_PIXELS")
    )
    # Failed admin API token attempts one client may make in a minute before it waits (429).
    auth_failure_limit: int = Field(
        10, ge=1, le=10_000, validation_alias=_env("GENBA_AUTH_FAILURE_LIMIT")
    )

    @field_validator("line_channel_secret", "line_channel_access_token")
    @classmethod
    def _not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("is empty")
        return value

    @field_validator("line_api_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("sqlite://", "postgresql://", "postgres://", "postgresql+")):
            raise ValueError("must be sqlite:///PATH, postgresql://… or postgres://…")
        return value

    @field_validator("media_store_url")
    @classmethod
    def _supported_store(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value.startswith("s3://"):
            raise ValueError("S3 storage is not available in this version; use a local folder")
        if value.startswith("file://"):
            return value
        raise ValueError("must be a file:// URL of a folder")

    # ---- derived values -------------------------------------------------------------------

    @property
    def effective_database_url(self) -> str:
        """DATABASE_URL, or the embedded SQLite file under GENBA_DATA_DIR."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'genba.db').resolve()}"

    @property
    def media_dir(self) -> Path:
        """The folder that holds stored media files."""
        if self.media_store_url:
            return Path(self.media_store_url.removeprefix("file://"))
        return self.data_dir / "media"

    @property
    def tmp_dir(self) -> Path:
        """Scratch space for downloads in progress (same filesystem as the media folder)."""
        return self.media_dir / ".incoming"

    @property
    def zone(self) -> ZoneInfo:
        """The company's time zone."""
        return ZoneInfo(self.timezone)

    def require_line_credentials(self) -> tuple[str, str]:
        """The channel secret and access token, or a SettingsError naming what is missing."""
        missing = [
            name
            for name, value in (
                ("LINE_CHANNEL_SECRET", self.line_channel_secret),
                ("LINE_CHANNEL_ACCESS_TOKEN", self.line_channel_access_token),
            )
            if value is None
        ]
        if missing:
            raise SettingsError(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set. "
                "Both come from the LINE Developers Console: the channel secret on the "
                "'Basic settings' tab, the long-lived channel access token on the "
                "'Messaging API' tab. genba never runs without them: it must check every "
                "webhook's signature. (To try genba without a channel, run `genba demo`.)"
            )
        assert self.line_channel_secret is not None and self.line_channel_access_token is not None
        return (
            self.line_channel_secret.get_secret_value(),
            self.line_channel_access_token.get_secret_value(),
        )


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one readable SettingsError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "?"
            lines.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
