"""`genba privacy delete-worker` and `genba privacy purge` on the server's database and media."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.settings import load_settings
from storage import audit, erasure, migrate
from storage.blobs import LocalBlobStore
from storage.db import Database
from tests.app.conftest import FakeClock, Seeder

runner = CliRunner()


@pytest.fixture
def server(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Seeder]:
    """A migrated database and the media folder `genba` finds from the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENBA_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("MEDIA_STORE_URL", raising=False)
    monkeypatch.delenv("GENBA_RETENTION_DAYS", raising=False)
    db = Database(database_url)
    migrate.upgrade(db)
    folder = load_settings(_env_file=None).media_dir
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    # The seed's clock is today's: the purge compares with the real time.
    from app.clock import system_clock

    seeder = Seeder(
        db=db, blobs=LocalBlobStore(folder), clock=FakeClock(system_clock()), scratch=scratch
    )
    yield seeder
    db.dispose()


def files(seeder: Seeder) -> list[str]:
    return [b.key for b in seeder.blobs.listing()]


def test_delete_worker_by_code_with_a_dry_run_first(server: Seeder) -> None:
    gone = server.submission(status="approved", theme=None, photos=2)
    kept = server.submission(status="approved", theme=None)
    dry = runner.invoke(cli, ["privacy", "delete-worker", gone.code, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would delete 1 submission(s), 2 photo(s)" in dry.output
    assert len(files(server)) == 6

    done = runner.invoke(cli, ["privacy", "delete-worker", gone.code])
    assert done.exit_code == 0, done.output
    assert "Deleted 1 submission(s), 2 photo(s)" in done.output
    assert "4 stored file(s)" in done.output
    reference = erasure.reference_of(gone.contributor_id)
    assert reference in done.output
    assert gone.line_user_id not in done.output and gone.contributor_id not in done.output
    assert sorted(files(server)) == sorted(kept.media[0].keys.values())
    with server.db.read() as s:
        (entry,) = audit.for_target(s, "contributor", reference)
    assert entry.actor == "command line"
    assert json.loads(entry.detail)["submissions"] == 1

    again = runner.invoke(cli, ["privacy", "delete-worker", gone.contributor_id])
    assert again.exit_code == 0, again.output
    assert "deleted already" in again.output


@pytest.mark.parametrize("who", ["", "   ", "x" * 65, "a\x00b"])
def test_delete_worker_refuses_nonsense(server: Seeder, who: str) -> None:
    server.submission(theme=None)
    result = runner.invoke(cli, ["privacy", "delete-worker", who])
    assert result.exit_code == 2
    assert len(files(server)) == 2


def test_purge_with_days_and_from_the_setting(
    server: Seeder, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = server.clock()
    old = server.submission(status="rejected", theme=None, at=now - timedelta(days=100))
    young = server.submission(status="rejected", theme=None, at=now - timedelta(days=10))
    missing = runner.invoke(cli, ["privacy", "purge"])
    assert missing.exit_code == 2 and "GENBA_RETENTION_DAYS" in missing.output

    dry = runner.invoke(cli, ["privacy", "purge", "--days", "30", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would purge 1 rejected item(s) and 0 draft(s) with 1 photo(s)" in dry.output
    assert len(files(server)) == 4

    monkeypatch.setenv("GENBA_RETENTION_DAYS", "30")
    done = runner.invoke(cli, ["privacy", "purge"])
    assert done.exit_code == 0, done.output
    assert "Purged 1 rejected item(s)" in done.output
    assert sorted(files(server)) == sorted(young.media[0].keys.values())
    assert not [k for k in files(server) if old.media[0].id in k]


@pytest.mark.parametrize("days", ["0", "-3", "3651", "ten"])
def test_purge_refuses_days_out_of_range(server: Seeder, days: str) -> None:
    result = runner.invoke(cli, ["privacy", "purge", "--days", days])
    assert result.exit_code == 2
