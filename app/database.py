"""Getting the database ready at start: migrate the embedded SQLite, refuse a stale PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from app.settings import SettingsError
from storage import guideline, migrate
from storage.db import Database


def prepare_database(db: Database) -> None:
    """Apply migrations on SQLite; on PostgreSQL refuse to run on a schema that is behind.

    Then seed the guideline from the project's file, if its tables are still empty.
    """
    if db.is_sqlite:
        migrate.upgrade(db)
    else:
        current, head = migrate.current_revision(db), migrate.head_revision()
        if current != head:
            raise SettingsError(
                f"the database schema is at revision {current or 'none'}, this version needs "
                f"{head}: run `genba db upgrade` first (with the same DATABASE_URL)"
            )
    seed_guideline(db)


def seed_guideline(db: Database) -> None:
    """Fill the guideline from `storage/data/guideline.json` when it was never filled."""
    with db.write() as session:
        guideline.seed(session, now=datetime.now(UTC))
