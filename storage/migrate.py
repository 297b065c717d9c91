"""Applying and checking the Alembic migrations from code (`genba db upgrade`, startup checks)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.db import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(db: Database | None = None) -> Config:
    """An Alembic config bound to this package's migrations (and the database, if given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if db is not None:
        cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision."""
    cfg = alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def head_revision() -> str | None:
    """The newest revision shipped with this code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(db: Database) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_current(db: Database) -> bool:
    """True when the database is at the newest revision."""
    return current_revision(db) == head_revision()
