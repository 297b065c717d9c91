"""Settings from the environment (and an optional `.env`), validated once at start.

Names follow design.md §7. Secrets are `SecretStr`, so they never show in a repr or a log line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Self
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.blobs import InvalidKey, check_prefix

# The worker renews the leases of its running jobs this many times per lease (app/worker), so
# a lease always outlasts two missed heartbeats.
HEARTBEATS_PER_LEASE = 3
# During the shutdown grace nothing renews them: a job still finishing must keep its lease with
# this much room, or a worker elsewhere would take it and run it at the same time.
GRACE_MARGIN = 2


class SettingsError(Exception):
    """The configuration is missing something or has a wrong value; the message says what."""


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


@dataclass(frozen=True)
class MediaFolder:
    """Media in a folder on this machine."""

    path: Path


@dataclass(frozen=True)
class MediaBucket:
    """Media in an S3-compatible bucket, under a key prefix ("" for the whole bucket)."""

    bucket: str
    prefix: str


# S3's rule for bucket names (3-63 characters; no IP address, no `..`).
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # two letters or more: not `C:`
STORE_HELP = "must be a folder (a path or file:///path) or s3://BUCKET/PREFIX"


def parse_media_store(value: str) -> MediaFolder | MediaBucket:
    """What MEDIA_STORE_URL names; ValueError says what is wrong without echoing the value,
    which might carry credentials."""
    scheme = SCHEME.match(value)
    if scheme is None:
        return MediaFolder(Path(value))
    name = scheme.group(1).lower()
    if name == "file":
        if not value.lower().startswith("file://"):
            raise ValueError(f"{STORE_HELP}; file: URLs start with file://")
        rest = unquote(value[len("file://") :])
        if rest.startswith("localhost/"):
            rest = rest[len("localhost") :]
        if not rest.strip("/"):
            raise ValueError("file:// names no folder")
        return MediaFolder(Path(rest))
    if name in ("http", "https"):
        raise ValueError(
            f"{STORE_HELP}; for an S3-compatible server set AWS_ENDPOINT_URL to its address"
        )
    if name != "s3":
        raise ValueError(f"{STORE_HELP}; {name}: is not supported")
    return _parse_bucket(value)


def _parse_bucket(value: str) -> MediaBucket:
    if not value.lower().startswith("s3://"):
        raise ValueError(f"{STORE_HELP}; an S3 URL starts with s3://")
    parts = urlsplit(value)
    if "@" in value:  # a secret may hold "/", which would end the netloc early
        raise ValueError(
            "s3:// URLs carry no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if ":" in parts.netloc:
        raise ValueError("s3:// takes a bucket, not a host and port: set AWS_ENDPOINT_URL")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ValueError("s3:// URLs take no ?query or #fragment")
    if not parts.netloc:
        raise ValueError("s3:// needs a bucket: s3://BUCKET/PREFIX")
    bucket = parts.netloc
    if not BUCKET.match(bucket) or ".." in bucket or re.match(r"^\d+\.\d+\.\d+\.\d+$", bucket):
        raise ValueError("the bucket name must be 3-63 lowercase letters, digits, dots and hyphens")
    prefix = parts.path.strip("/")
    try:
        check_prefix(prefix)
    except InvalidKey:
        raise ValueError(
            "the prefix must be folder names of letters, digits, '_', '.' and '-' "
            "separated by single '/', with no '.' or '..'"
        ) from None
    return MediaBucket(bucket=bucket, prefix=prefix)


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
    # For an s3:// media store. Unset, boto3 looks where it always does (profile, instance role).
    aws_endpoint_url: str | None = Field(None, validation_alias=_env("AWS_ENDPOINT_URL"))
    aws_region: str | None = Field(
        None, validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION")
    )
    aws_access_key_id: SecretStr | None = Field(None, validation_alias=_env("AWS_ACCESS_KEY_ID"))
    aws_secret_access_key: SecretStr | None = Field(
        None, validation_alias=_env("AWS_SECRET_ACCESS_KEY")
    )
    aws_session_token: SecretStr | None = Field(None, validation_alias=_env("AWS_SESSION_TOKEN"))

    # The address LINE reaches this server at (https://...): example thumbnails in the bot's
    # cards are fetched from it. Unset: examples show as text only.
    public_url: str | None = Field(None, validation_alias=_env("GENBA_PUBLIC_URL"))
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

    # How a worker reaches a person at the PR team, shown as given in the bot's settings
    # (e.g. "広報部 山田 03-1234-5678 / pr@example.jp"). Empty: the bot says to ask a manager.
    pr_contact: str = Field("", max_length=500, validation_alias=_env("GENBA_PR_CONTACT"))

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
    # Videos (media/video.py): LINE lets a bot send up to 200 MB; the running time is measured.
    max_video_bytes: int = Field(
        200 * 1024 * 1024, ge=1024, validation_alias=_env("GENBA_MAX_VIDEO_BYTES")
    )
    max_video_seconds: int = Field(
        300, ge=1, le=3600, validation_alias=_env("GENBA_MAX_VIDEO_SECONDS")
    )
    # Failed admin API token attempts one client may make in a minute before it waits (429).
    auth_failure_limit: int = Field(
        10, ge=1, le=10_000, validation_alias=_env("GENBA_AUTH_FAILURE_LIMIT")
    )
    # Rejected items and drafts unchanged this many days are purged (`genba privacy purge`,
    # the admin action, and each worker start); None keeps them until purged by hand.
    retention_days: int | None = Field(
        None, ge=1, le=3650, validation_alias=_env("GENBA_RETENTION_DAYS")
    )

    # Messages LINE lets the plan push per month (counted per recipient); 0: no limit here.
    push_monthly_budget: int = Field(
        200, ge=0, le=100_000_000, validation_alias=_env("GENBA_PUSH_MONTHLY_BUDGET")
    )
    # Hours of the company's day when reminders and other pushes wait: "21-8" is 21:00-08:00.
    quiet_hours: str = Field("21-8", validation_alias=_env("GENBA_QUIET_HOURS"))
    # How often a push held back by the budget looks again (a raised budget, a new month).
    push_budget_recheck_seconds: float = Field(
        600.0, gt=0, le=86_400, validation_alias=_env("GENBA_PUSH_BUDGET_RECHECK_SECONDS")
    )

    # The day of the month (1-28, company time) the "what we posted last month" digest goes to
    # the workers who chose every notice, by itself; 0: only when PR sends it from /admin.
    digest_day: int = Field(1, validation_alias=_env("GENBA_DIGEST_DAY"))

    @field_validator("digest_day")
    @classmethod
    def _digest_day(cls, value: int) -> int:
        if not 0 <= value <= 28:
            raise ValueError(
                "must be a day of the month from 1 to 28 (every month has it), "
                "or 0 for no automatic digest"
            )
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        value = value.strip()
        if value in ("", "none"):
            return "none"
        start, sep, end = value.partition("-")
        digits = start.isascii() and end.isascii() and start.isdigit() and end.isdigit()
        if not (sep and digits) or max(int(start), int(end)) > 23:
            raise ValueError('must be "START-END" in whole hours 0-23 (e.g. "21-8"), or "none"')
        return f"{int(start)}-{int(end)}"

    @field_validator("line_channel_secret", "line_channel_access_token")
    @classmethod
    def _not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("is empty")
        return value

    @field_validator("line_api_base_url", "aws_endpoint_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        local = parts.hostname in ("localhost", "127.0.0.1", "::1")
        # LINE fetches images over HTTPS only; plain http is for the demo on this machine.
        if not parts.hostname or (
            parts.scheme != "https" and not (local and parts.scheme == "http")
        ):
            raise ValueError("GENBA_PUBLIC_URL must be an https:// address LINE can reach")
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
        parse_media_store(value)
        return value

    @model_validator(mode="after")
    def _aws_key_pair(self) -> Self:
        if (self.aws_access_key_id is None) != (self.aws_secret_access_key is None):
            raise ValueError(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both or neither"
            )
        return self

    @model_validator(mode="after")
    def _lease_outlasts_the_grace(self) -> Settings:
        lease, grace = self.job_lease_seconds, self.shutdown_grace_seconds
        # At the shutdown a job's lease was renewed at most one heartbeat ago.
        left = lease - self.heartbeat_seconds
        if left < GRACE_MARGIN * grace:
            least = GRACE_MARGIN * grace * HEARTBEATS_PER_LEASE / (HEARTBEATS_PER_LEASE - 1)
            raise ValueError(
                f"GENBA_JOB_LEASE_SECONDS ({lease:g}) must be at least {least:g} with "
                f"GENBA_SHUTDOWN_GRACE_SECONDS ({grace:g}): a running job's lease is renewed "
                f"every {self.heartbeat_seconds:g} s (a third of it) but not during the "
                "shutdown grace, and a job whose lease runs out meanwhile is run by another "
                "worker at the same time. Raise the lease or shorten the grace."
            )
        return self

    # ---- derived values -------------------------------------------------------------------

    @property
    def effective_database_url(self) -> str:
        """DATABASE_URL, or the embedded SQLite file under GENBA_DATA_DIR."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'genba.db').resolve()}"

    @property
    def media_store(self) -> MediaFolder | MediaBucket:
        """Where media files live: MEDIA_STORE_URL, or the folder `media` under GENBA_DATA_DIR."""
        if self.media_store_url:
            return parse_media_store(self.media_store_url)
        return MediaFolder(self.data_dir / "media")

    @property
    def media_dir(self) -> Path:
        """The folder that holds stored media files (a SettingsError for an S3 store)."""
        store = self.media_store
        if isinstance(store, MediaBucket):
            raise SettingsError("MEDIA_STORE_URL names an S3 bucket, not a folder")
        return store.path

    @property
    def tmp_dir(self) -> Path:
        """Scratch space for downloads in progress (beside the media folder, if there is one)."""
        store = self.media_store
        if isinstance(store, MediaFolder):
            return store.path / ".incoming"
        return self.data_dir / "incoming"

    @property
    def heartbeat_seconds(self) -> float:
        """How often the worker renews the leases of the jobs it runs."""
        return self.job_lease_seconds / HEARTBEATS_PER_LEASE

    @property
    def zone(self) -> ZoneInfo:
        """The company's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def quiet(self) -> tuple[int, int] | None:
        """The quiet hours as (start, end) hours of the company's day, or None."""
        if self.quiet_hours == "none":
            return None
        start, _, end = self.quiet_hours.partition("-")
        return int(start), int(end)

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
            message = err["msg"].removeprefix("Value error, ")
            # A check of several variables (no single location) names them in its message.
            lines.append(f"{err['loc'][0]}: {message}" if err["loc"] else message)
        raise SettingsError("invalid configuration:\n  " + "\n  ".join(lines)) from None
