"""Configuration: clear messages for what is missing or wrong; secrets never shown."""

from __future__ import annotations

import pytest

from app.settings import SettingsError, load_settings

CREDS = {
    "LINE_CHANNEL_SECRET": "0123456789abcdef0123456789abcdef",
    "LINE_CHANNEL_ACCESS_TOKEN": "tok" * 20,
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in [*CREDS, "DATABASE_URL", "LINE_API_BASE_URL", "MEDIA_STORE_URL"]:
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
        ("MEDIA_STORE_URL", "s3://bucket/p", "MEDIA_STORE_URL: S3 storage is not available"),
        ("GENBA_SQLITE_SYNCHRONOUS", "OFF", "GENBA_SQLITE_SYNCHRONOUS"),
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
