"""Dialect-specific statements: INSERT … ON CONFLICT, imported per dialect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

# Hot paths run Core statements on a bare Connection (no ORM session to set up); the rest on a
# Session. Functions that only execute Core statements accept either.
Executor = Session | Connection


def is_postgres(session: Executor) -> bool:
    """True when the session (or connection) talks to PostgreSQL."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    return bind.dialect.name == "postgresql"


def _insert(session: Executor, table: Any) -> Any:
    module = postgresql if is_postgres(session) else sqlite
    return module.insert(table)


def insert_ignore(session: Executor, table: Any, *, on: Sequence[str] | None = None) -> Any:
    """An INSERT that skips rows whose unique key (or only the key `on`) already exists."""
    return _insert(session, table).on_conflict_do_nothing(index_elements=on)
