"""Configuration: clear messages for what is missing or wrong; secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import AliasChoices

from app.settings import MediaBucket, MediaFolder, Settings, SettingsError, load_settings

CREDS = {
    "LINE_CHANNEL_SECRET": "0123456789abcdef0123456789abcdef",
    "LINE_CHANNEL_ACCESS_TOKEN": "tok" * 20,
}


AWS = [
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
]
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in [*CREDS, "DATABASE_URL", "LINE_API_BASE_URL", "MEDIA_STORE_URL", *AWS]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_missing_credentials_name_both_and_say_where_they_come_from() -> None:
    settings = load_settings()
    with pytest.raises(SettingsError) as err:
        settings.require_line_credentials()
    message = str(err.value)
    assert "LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are not set" in message
    assert "LINE Developers Console" in message and "genba demo" in message


def test_one_missing_credential_is_named_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINE_CHANNEL_SECRET", CREDS["LINE_CHANNEL_SECRET"])
    with pytest.raises(SettingsError, match=r"^LINE_CHANNEL_ACCESS_TOKEN is not set"):
        load_settings().require_line_credentials()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("LINE_CHANNEL_SECRET", "   ", "LINE_CHANNEL_SECRET: is empty"),
        ("LINE_API_BASE_URL", "ftp://x", "LINE_API_BASE_URL: must start with http:// or https://"),
        ("GENBA_TIMEZONE", "Mars/Olympus", "GENBA_TIMEZONE: unknown time zone"),
        (
            "GENBA_JOB_MAX_ATTEMPTS",
            "many",
            "GENBA_JOB_MAX_ATTEMPTS: Input should be a valid integer",
        ),
        ("GENBA_JOB_MAX_ATTEMPTS", "0", "GENBA_JOB_MAX_ATTEMPTS: Input should be greater than"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: must be sqlite:///PATH"),
        ("GENBA_SQLITE_SYNCHRONOUS", "OFF", "GENBA_SQLITE_SYNCHRONOUS"),
        ("GENBA_PUBLIC_URL", "http://bot.test", "GENBA_PUBLIC_URL must be an https"),
        ("GENBA_QUIET_HOURS", "21-24", "GENBA_QUIET_HOURS: must be"),
        ("GENBA_QUIET_HOURS", "night", "GENBA_QUIET_HOURS: must be"),
        ("GENBA_QUIET_HOURS", "-1-8", "GENBA_QUIET_HOURS: must be"),
        ("GENBA_QUIET_HOURS", "２１-8", "GENBA_QUIET_HOURS: must be"),
        ("GENBA_PUSH_MONTHLY_BUDGET", "-5", "GENBA_PUSH_MONTHLY_BUDGET: Input should be"),
        ("GENBA_DIGEST_DAY", "29", "GENBA_DIGEST_DAY: must be a day of the month from 1 to 28"),
        ("GENBA_DIGEST_DAY", "-1", "GENBA_DIGEST_DAY: must be a day of the month from 1 to 28"),
        ("GENBA_DIGEST_DAY", "first", "GENBA_DIGEST_DAY: Input should be a valid integer"),
    ],
)
def test_a_wrong_value_is_named_with_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert expected in str(err.value)


def test_secrets_never_appear_in_a_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in CREDS.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    text = repr(settings) + str(settings) + str(settings.model_dump())
    assert CREDS["LINE_CHANNEL_SECRET"] not in text
    assert CREDS["LINE_CHANNEL_ACCESS_TOKEN"] not in text
    assert settings.require_line_credentials() == (
        CREDS["LINE_CHANNEL_SECRET"],
        CREDS["LINE_CHANNEL_ACCESS_TOKEN"],
    )


def test_the_embedded_default_lives_under_the_data_dir(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("GENBA_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'data' / 'genba.db'}"
    assert settings.media_dir == tmp_path / "data" / "media"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert load_settings().effective_database_url == "postgres://u@h/db"


def test_a_lease_too_short_for_the_shutdown_grace_is_refused() -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(GENBA_JOB_LEASE_SECONDS="30", GENBA_SHUTDOWN_GRACE_SECONDS="20")
    message = str(err.value)
    assert "GENBA_JOB_LEASE_SECONDS (30) must be at least 60" in message
    assert "GENBA_SHUTDOWN_GRACE_SECONDS (20)" in message
    assert "renewed every 10 s" in message


@pytest.mark.parametrize(("lease", "grace"), [("60", "20"), ("1", "0"), ("2", "0.5")])
def test_a_lease_that_outlasts_the_grace_is_accepted(lease: str, grace: str) -> None:
    settings = load_settings(GENBA_JOB_LEASE_SECONDS=lease, GENBA_SHUTDOWN_GRACE_SECONDS=grace)
    assert settings.heartbeat_seconds == float(lease) / 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("s3://", "s3:// needs a bucket: s3://BUCKET/PREFIX"),
        ("s3:///media", "s3:// needs a bucket"),
        ("s3:bucket/media", "an S3 URL starts with s3://"),
        ("S3:/bucket", "an S3 URL starts with s3://"),
        ("ftp://files.example/media", "must be a folder (a path or file:///path) or s3://"),
        ("gopher:media", "gopher: is not supported"),
        ("https://minio.local:9000/bucket", "set AWS_ENDPOINT_URL to its address"),
        ("s3://bucket:9000/media", "not a host and port: set AWS_ENDPOINT_URL"),
        ("s3://Genba_Media/p", "the bucket name must be 3-63 lowercase letters"),
        ("s3://ab/p", "the bucket name must be 3-63"),
        ("s3://my..bucket/p", "the bucket name must be 3-63"),
        ("s3://192.168.0.10/p", "the bucket name must be 3-63"),
        ("s3://bucket/../elsewhere", "the prefix must be folder names"),
        ("s3://bucket/a//b", "the prefix must be folder names"),
        ("s3://bucket/a b", "the prefix must be folder names"),
        ("s3://bucket/media?versionId=3", "take no ?query or #fragment"),
        ("s3://bucket/media#x", "take no ?query or #fragment"),
        ("file://", "file:// names no folder"),
        ("file:/srv/media", "file: URLs start with file://"),
    ],
)
def test_a_malformed_media_store_url_is_named_with_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str
) -> None:
    monkeypatch.setenv("MEDIA_STORE_URL", value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    (line,) = [x for x in str(err.value).splitlines() if "MEDIA_STORE_URL" in x]
    assert line.strip().startswith("MEDIA_STORE_URL: ") and expected in line


def test_credentials_in_the_media_store_url_are_refused_and_never_echoed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MEDIA_STORE_URL", f"s3://AKIAEXAMPLE:{AWS_SECRET}@bucket/media")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "carry no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" in str(err.value)
    assert AWS_SECRET not in str(err.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("s3://genba-media", MediaBucket("genba-media", "")),
        ("s3://genba-media/", MediaBucket("genba-media", "")),
        ("s3://genba.media-01/acme/photos/", MediaBucket("genba.media-01", "acme/photos")),
        ("file:///srv/genba/media", MediaFolder(Path("/srv/genba/media"))),
        ("file://localhost/srv/genba/media", MediaFolder(Path("/srv/genba/media"))),
        ("file:///srv/my%20media", MediaFolder(Path("/srv/my media"))),
        ("/srv/genba/media", MediaFolder(Path("/srv/genba/media"))),
        ("./media", MediaFolder(Path("media"))),
    ],
)
def test_the_media_store_url_forms_that_work(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: object
) -> None:
    monkeypatch.setenv("MEDIA_STORE_URL", value)
    assert load_settings().media_store == expected


def test_an_s3_store_keeps_scratch_files_under_the_data_dir(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("GENBA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MEDIA_STORE_URL", "s3://genba-media/acme")
    settings = load_settings()
    assert settings.tmp_dir == tmp_path / "data" / "incoming"
    with pytest.raises(SettingsError, match="names an S3 bucket, not a folder"):
        _ = settings.media_dir


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"}, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go"),
        ({"AWS_SECRET_ACCESS_KEY": AWS_SECRET}, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go"),
        ({"AWS_ENDPOINT_URL": "minio:9000"}, "AWS_ENDPOINT_URL: must start with http://"),
    ],
)
def test_wrong_aws_settings_are_named(monkeypatch, env: dict[str, str], expected: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert expected in str(err.value)
    assert AWS_SECRET not in str(err.value)


def test_aws_secrets_never_appear_in_a_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-" + AWS_SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    settings = load_settings()
    text = repr(settings) + str(settings) + str(settings.model_dump())
    assert AWS_SECRET not in text
    assert settings.aws_region == "ap-northeast-1"


@pytest.mark.parametrize(
    ("value", "expected"), [("21-8", (21, 8)), (" 0-6 ", (0, 6)), ("none", None), ("", (21, 8))]
)
def test_quiet_hours_are_read_as_two_hours_or_none(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: tuple[int, int] | None
) -> None:
    monkeypatch.setenv("GENBA_QUIET_HOURS", value)
    assert load_settings().quiet == expected


@pytest.mark.parametrize(("value", "expected"), [(None, 1), ("0", 0), ("28", 28), (" 5 ", 5)])
def test_the_digest_day_is_a_day_every_month_has_or_0_for_off(
    monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int
) -> None:
    monkeypatch.delenv("GENBA_DIGEST_DAY", raising=False)
    if value is not None:
        monkeypatch.setenv("GENBA_DIGEST_DAY", value)
    assert load_settings().digest_day == expected


def test_the_env_example_names_every_setting_and_loads_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = (Path(__file__).parents[2] / ".env.example").read_text()
    named = {line.split("=", 1)[0].lstrip("# ") for line in example.splitlines() if "=" in line}
    choices = [
        {str(choice) for choice in field.validation_alias.choices}
        for field in Settings.model_fields.values()
        if isinstance(field.validation_alias, AliasChoices)
    ]
    unnamed = [sorted(names) for names in choices if not names & named]
    assert unnamed == [], "add these to .env.example"
    aliases = set().union(*choices)
    (tmp_path / ".env").write_text(example)
    monkeypatch.chdir(tmp_path)
    for name in aliases:
        monkeypatch.delenv(name, raising=False)
    assert load_settings().sqlite_synchronous == "FULL"
