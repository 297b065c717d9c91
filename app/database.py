"""Getting the database ready at start: migrate the embedded SQLite, refuse a stale PostgreSQL."""

from __future__ import annotations

from app.settings import SettingsError
from storage import migrate
from storage.db import Database


def prepare_database(db: Database) -> None:
    """Apply migrations on SQLite; on PostgreSQL refuse to run on a schema that is behind."""
    if db.is_sqlite:
        migrate.upgrade(db)
        return
    current, head = migrate.current_revision(db), migrate.head_revision()
    if current != head:
        raise SettingsError(
            f"the database schema is at revision {current or 'none'}, this version needs "
            f"{head}: run `genba db upgrade` first (with the same DATABASE_URL)"
        )
