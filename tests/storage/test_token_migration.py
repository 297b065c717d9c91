"""Revision 0004 gives tokens an optional end; going below it must not revive ended tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import text

from storage import migrate, tokens
from storage.db import Database

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_going_below_0004_revokes_the_tokens_that_had_an_end(database_url: str) -> None:
    db = Database(database_url)
    migrate.upgrade(db)
    with db.write() as s:
        ending = tokens.issue(s, name="temp", role="viewer", now=NOW, expires_at=NOW + timedelta(1))
        forever = tokens.issue(s, name="ci", role="viewer", now=NOW)
    cfg = migrate.alembic_config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")  # older code cannot enforce an end
    with db.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, revoked_at IS NOT NULL FROM api_token")).all())
    migrate.upgrade(db)
    db.dispose()
    assert rows == {ending.id: True, forever.id: False}
