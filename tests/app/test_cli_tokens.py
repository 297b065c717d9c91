"""`genba admin create-token | list-tokens | revoke-token`: tokens people can manage.

Each command says on stderr which database it used (a token works only with its server's); the
new token stays alone on the last line of output (design.md §7).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from storage import audit, migrate, tokens
from storage.db import Database
from tests.app.conftest import bearer

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENBA_DATA_DIR", str(tmp_path / "var"))
    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def database(database_url: str, env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """The test database of each backend, migrated, named by DATABASE_URL for the commands."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    db = Database(database_url)
    migrate.upgrade(db)
    yield db
    db.dispose()


def genba(*args: str):
    return runner.invoke(cli, ["admin", *args])


def create(*args: str) -> str:
    result = genba("create-token", *args)
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def listed() -> list[dict[str, str]]:
    result = genba("list-tokens", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


class TestCreate:
    def test_an_expiry_is_recorded_and_the_token_stays_alone_on_the_last_line(
        self, database
    ) -> None:
        before = datetime.now(UTC)
        result = genba(
            "create-token", "--name", "広報", "--role", "viewer", "--expires-in-days", "30"
        )
        assert result.exit_code == 0, result.output
        token = result.stdout.strip().splitlines()[-1]
        assert token.startswith("gba_") and " " not in token
        assert "expires" in result.stdout
        with database.read() as s:
            row = tokens.lookup(s, token, now=datetime.now(UTC))
        assert row is not None and row.expires_at is not None
        assert timedelta(days=30) <= row.expires_at - before < timedelta(days=30, minutes=5)

    def test_the_command_says_which_database_it_used(self, database, database_url) -> None:
        result = genba("create-token", "--name", "a", "--role", "viewer")
        assert result.exit_code == 0
        line = result.stderr.strip().splitlines()[0]
        assert line.startswith("genba: database ")
        if database_url.startswith("sqlite"):
            assert line.endswith(database_url.removeprefix("sqlite:///"))
        else:
            assert "postgresql" in line
        assert result.output.strip().splitlines()[-1].startswith("gba_")

    def test_a_new_database_is_pointed_out(self, env) -> None:
        result = genba("create-token", "--name", "a", "--role", "viewer")
        assert result.exit_code == 0, result.output
        assert f"genba: database {env / 'var' / 'genba.db'}" in result.stderr
        assert "a new, empty one was made" in result.stderr
        assert "GENBA_DATA_DIR" in result.stderr
        again = genba("create-token", "--name", "b", "--role", "viewer")
        assert "new, empty" not in again.stderr

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--name", "a", "--role", "superuser"], "--role must be one of"),
            (["--name", "a", "--role", ""], "--role must be one of"),
            (["--name", "a", "--role", "admin", "--expires-in-days", "-3"], "'--expires-in-days'"),
            (["--name", "a", "--role", "admin", "--expires-in-days", "0"], "'--expires-in-days'"),
            (
                ["--name", "a", "--role", "admin", "--expires-in-days", "99999"],
                "'--expires-in-days'",
            ),
            (
                ["--name", "a", "--role", "admin", "--expires-in-days", "soon"],
                "'--expires-in-days'",
            ),
            (["--name", "", "--role", "admin"], "--name"),
            (["--name", "   ", "--role", "admin"], "--name"),
            (["--name", "x" * 10_000, "--role", "admin"], "1 to 100 characters"),
            (["--name", "evil\x1b[2Jname", "--role", "admin"], "control characters"),
            (["--name", "right\u202eleft", "--role", "admin"], "control characters"),
            (["--name", "a\nb", "--role", "admin"], "control characters"),
        ],
    )
    def test_hostile_arguments_are_refused_and_nothing_is_written(self, env, args, message) -> None:
        result = genba("create-token", *args)
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert "x" * 200 not in result.output  # a huge name is not echoed back
        assert not (env / "var" / "genba.db").exists()


class TestList:
    def test_every_field_but_the_secret_is_listed(self, database) -> None:
        secret = create("--name", "広報 田中", "--role", "reviewer", "--expires-in-days", "7")
        create("--name", "ops", "--role", "admin")
        result = genba("list-tokens")
        assert result.exit_code == 0, result.output
        lines = result.stdout.strip().splitlines()
        assert lines[0].split() == [
            "ID", "NAME", "ROLE", "STATUS", "CREATED", "EXPIRES", "LAST", "USED", "REVOKED"
        ]  # fmt: skip
        assert "広報 田中" in lines[1] and "reviewer" in lines[1] and "active" in lines[1]
        assert "ops" in lines[2] and "admin" in lines[2]
        assert secret not in result.output
        assert tokens.digest(secret) not in result.output
        assert secret.removeprefix("gba_")[:10] not in result.output

    def test_json_for_scripts(self, database) -> None:
        create("--name", "ci", "--role", "viewer")
        (row,) = listed()
        assert set(row) == {
            "id", "name", "role", "status", "created", "expires", "last_used", "revoked"
        }  # fmt: skip
        assert (row["name"], row["role"], row["status"]) == ("ci", "viewer", "active")
        assert (row["expires"], row["last_used"], row["revoked"]) == ("-", "-", "-")

    def test_use_and_revocation_show(self, database, served) -> None:
        secret = create("--name", "ci", "--role", "viewer")
        with TestClient(served.app) as client:
            assert client.get("/api/v1/themes", headers=bearer(secret)).status_code == 200
        assert genba("revoke-token", "ci").exit_code == 0
        (row,) = listed()
        assert row["last_used"] != "-"
        assert row["status"] == "revoked" and row["revoked"] != "-"

    def test_a_name_stored_with_control_characters_cannot_drive_the_terminal(
        self, database, clock
    ) -> None:
        with database.write() as s:  # as an older version could have stored it
            s.execute(
                tokens.T.insert().values(
                    id="01JD0000000000000000000000",
                    name="a\x1b]0;pwned\x07b",
                    role="viewer",
                    token_hash="0" * 64,
                    created_at=clock(),
                )
            )
        result = genba("list-tokens")
        assert result.exit_code == 0
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout

    def test_no_tokens_says_how_to_make_one(self, database) -> None:
        result = genba("list-tokens")
        assert result.exit_code == 0
        assert "genba admin create-token" in result.stdout


class TestRevoke:
    def test_revoking_by_id_or_name_makes_the_api_refuse_the_token(self, database, served) -> None:
        by_name = create("--name", "laptop", "--role", "admin")
        by_id = create("--name", "phone", "--role", "viewer")
        phone_id = next(r["id"] for r in listed() if r["name"] == "phone")
        with TestClient(served.app) as client:
            for secret in (by_name, by_id):
                assert client.get("/api/v1/themes", headers=bearer(secret)).status_code == 200
            first = genba("revoke-token", "laptop")
            assert first.exit_code == 0, first.output
            assert "Revoked" in first.stdout and "laptop" in first.stdout
            assert genba("revoke-token", phone_id).exit_code == 0
            for secret in (by_name, by_id):
                r = client.get("/api/v1/themes", headers=bearer(secret))
                assert r.status_code == 401
        with database.read() as s:
            entries = audit.for_target(s, "api_token", phone_id)
        assert [e.action for e in entries] == ["create_token", "revoke_token"]

    def test_revoking_twice_says_so(self, database) -> None:
        create("--name", "once", "--role", "viewer")
        assert genba("revoke-token", "once").exit_code == 0
        again = genba("revoke-token", "once")
        assert again.exit_code == 0
        assert "revoked already" in again.stdout

    def test_two_live_tokens_of_one_name_must_be_told_apart_by_id(self, database) -> None:
        create("--name", "twin", "--role", "viewer")
        create("--name", "twin", "--role", "viewer")
        result = genba("revoke-token", "twin")
        assert result.exit_code == 1
        ids = [r["id"] for r in listed()]
        assert "2 tokens are named 'twin'" in result.stderr
        assert all(i in result.stderr for i in ids)
        assert {r["status"] for r in listed()} == {"active"}

    @pytest.mark.parametrize(
        "ref", ["nobody", "01JD0000000000000000000000", "x" * 10_000, "a\x00b", "\x1b[2J", " "]
    )
    def test_an_unknown_token_gets_a_clear_message(self, database, ref) -> None:
        create("--name", "keeper", "--role", "viewer")
        result = genba("revoke-token", ref)
        assert result.exit_code == 1, result.output
        assert "no token has the id or name" in result.stderr
        assert "genba admin list-tokens" in result.stderr
        assert "\x1b" not in result.output and len(result.output) < 500
        assert [r["status"] for r in listed()] == ["active"]
