"""`genba admin create-user`: an account for the /admin pages, the password from stdin only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from storage import migrate, people
from storage.db import Database

runner = CliRunner()
GOOD = "a password long enough\n"


@pytest.fixture
def database(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENBA_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    db = Database(database_url)
    migrate.upgrade(db)
    yield db
    db.dispose()


def create_user(*args: str, stdin: str | bytes = GOOD):
    return runner.invoke(cli, ["admin", "create-user", *args], input=stdin)


def test_the_first_admin_is_made_from_stdin(database: Database) -> None:
    result = create_user("--email", "Hana@Example.com", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert "Created the account hana@example.com (role admin)" in result.output
    assert "a password long enough" not in result.output
    with database.read() as s:
        found = people.by_email(s, "hana@example.com")
    assert found is not None and found.role == "admin"
    assert found.password_hash.startswith("$argon2id$")


def test_the_password_is_never_an_argument(database: Database) -> None:
    result = create_user(
        "--email", "a@example.com", "--role", "admin", "--password", "a password long enough"
    )
    assert result.exit_code != 0
    with database.read() as s:
        assert people.list_all(s) == []


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "the password is empty"),
        ("\n", "the password is empty"),
        ("short\n", "at least 12 characters"),
        ("x" * 5000, "at most 1024 characters"),
        ("bell\x07and a long tail\n", "control characters"),
        (b"\xff\xfe not utf-8 at all\n", "not UTF-8"),
    ],
)
def test_a_bad_password_gets_a_clear_message_and_makes_nothing(
    database: Database, stdin: str | bytes, message: str
) -> None:
    result = create_user("--email", "a@example.com", "--role", "viewer", stdin=stdin)
    assert result.exit_code == 2
    assert message in result.output
    with database.read() as s:
        assert people.list_all(s) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--email", "not an address", "--role", "admin"), "e-mail address"),
        (("--email", "a@example.com\n@x.y", "--role", "admin"), "e-mail address"),
        (("--email", "a\x1b[31m@example.com", "--role", "admin"), "printable"),
        (("--email", "a@example.com", "--role", "root"), "viewer, reviewer, admin"),
    ],
)
def test_hostile_emails_and_roles_are_refused(
    database: Database, args: tuple[str, ...], message: str
) -> None:
    result = create_user(*args)
    assert result.exit_code == 2 and message in result.output


def test_a_taken_address_is_refused(database: Database) -> None:
    assert create_user("--email", "a@example.com", "--role", "viewer").exit_code == 0
    again = create_user("--email", "A@example.com", "--role", "admin")
    assert again.exit_code == 1 and "already has that e-mail address" in again.output


def test_a_new_database_is_pointed_out_in_words_about_the_account(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Making an account is not making a token: the warning speaks of signing in.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENBA_DATA_DIR", str(tmp_path / "var"))
    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    result = create_user("--email", "hana@example.com", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert "a new, empty one was made" in result.stderr
    assert "The account can sign in only on the server using this same database" in result.stderr
    assert "token" not in result.output.lower() and "token" not in result.stderr.lower()
