"""The migrations and the models describe the same schema; the embedded database is set up right."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from storage import inbox, migrate, themes
from storage.db import Database
from tests.inbox_entries import user_event


def test_a_migrated_database_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata
        )
    db.dispose()
    assert diff == []


def test_migrations_go_down_and_up_again(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    cfg = migrate.alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert migrate.current_revision(db) is None
    migrate.upgrade(db)
    assert migrate.is_current(db)
    db.dispose()


def test_going_below_revision_0003_hands_waiting_jobs_to_the_older_queue(
    database_url: str,
) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    with db.write() as s:
        inbox.store(s, [user_event("01W")], now=datetime(2026, 11, 27, tzinfo=UTC))
    cfg = migrate.alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")  # older code never admits `new` jobs
    with db.engine.connect() as conn:
        states = list(conn.execute(text("SELECT state FROM job")).scalars())
    db.dispose()
    assert states == ["queued"]


def test_a_new_installation_offers_the_default_themes(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    with db.read() as session:
        found = themes.list_all(session)
    db.dispose()
    assert [t.slug for t in found] == [
        "daily-work",
        "events",
        "people",
        "craft",
        "seasons",
        "customers",
        "other",
    ]
    assert all(t.active and t.title for t in found)


def test_sqlite_runs_in_wal_with_a_busy_timeout_foreign_keys_and_full_sync(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        pragmas = {
            name: conn.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
        }
    db.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "busy_timeout": 5000,
        "foreign_keys": 1,
        "synchronous": 2,
    }


def test_sqlite_synchronous_follows_the_setting(tmp_path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}", sqlite_synchronous="NORMAL")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1
    db.dispose()


def test_sqlite_write_transactions_take_the_lock_up_front(tmp_path) -> None:
    """BEGIN IMMEDIATE: a second writer waits for the first instead of failing mid-transaction."""
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    SQLModel.metadata.create_all(db.engine)
    seen: list[str] = []
    from sqlalchemy import event

    @event.listens_for(db.engine, "before_cursor_execute")
    def _spy(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    with db.write() as session:
        session.execute(text("SELECT 1"))
    with db.read() as session:
        session.execute(text("SELECT 1"))
    assert "BEGIN IMMEDIATE" in seen and "BEGIN DEFERRED" in seen
    db.dispose()
