"""Dialect-specific statements: INSERT … ON CONFLICT, imported per dialect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def is_postgres(session: Session) -> bool:
    """True when the session talks to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def _insert(session: Session, table: Any) -> Any:
    module = postgresql if is_postgres(session) else sqlite
    return module.insert(table)


def insert_ignore(session: Session, table: Any) -> Any:
    """An INSERT that skips rows whose unique key already exists."""
    return _insert(session, table).on_conflict_do_nothing()


def upsert(
    session: Session,
    table: Table,
    values: dict[str, Any],
    *,
    key: Sequence[str],
    update: Sequence[str],
    increment: str | None = None,
) -> Any:
    """INSERT … ON CONFLICT (key) DO UPDATE the given columns (and bump a counter)."""
    stmt = _insert(session, table).values(**values)
    changes: dict[str, Any] = {name: stmt.excluded[name] for name in update}
    if increment is not None:
        changes[increment] = table.c[increment] + 1
    return stmt.on_conflict_do_update(index_elements=list(key), set_=changes)
