"""Many-row inserts on SQLite with no per-row work in SQLAlchemy, for the webhook's hot path.

SQLAlchemy's own executemany runs each row through its parameter machinery (and, with
RETURNING, rewrites the statement into batches): on a five-event webhook that was most of the
ack's CPU (bench/store_micro.py). Here each value still goes through its column type's bind
processor, and the statement still runs through `exec_driver_sql` (errors wrapped as usual,
inside the caller's transaction); only the per-row bookkeeping is skipped, and many rows go
in one statement. Why not a raw `sqlite3` connection: that would be a second way to connect,
outside the engine's pool, locks and error handling.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

from storage.dialect import Executor

# SQLite allows 32766 bound variables a statement since 3.32; stay far below it.
_ROWS_PER_STATEMENT = 200


@functools.cache
def _processors(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[Callable[[Any], Any] | None, ...]:
    """Each column's bind processor: the one SQLAlchemy itself would use (dialect_impl)."""
    # Driver-level SQL is dialect-specific; only SQLite takes this path (PostgreSQL needs
    # RETURNING under concurrent writers, and keeps SQLAlchemy's executemany).
    if dialect.name != "sqlite":
        raise ValueError("the driver-level path is for SQLite only")
    # Defaults are SQLAlchemy's to fill in, and this path skips SQLAlchemy: a row that left one
    # out would be stored with NULL (or refused) instead.
    missing = [c.name for c in table.columns if c.default is not None and c.name not in columns]
    if missing:
        raise ValueError(f"bulk rows of {table.name} must give {', '.join(missing)}")
    types = [table.c[name].type.dialect_impl(dialect) for name in columns]
    return tuple(t.bind_processor(dialect) for t in types)


@functools.lru_cache(maxsize=256)
def _sql(
    table: Table,
    columns: tuple[str, ...],
    rows: int,
    ignore: bool,
    returning: str | None,
    dialect: Dialect,
) -> str:
    quote = dialect.identifier_preparer.quote
    one = "(" + ", ".join("?" * len(columns)) + ")"
    names = ", ".join(quote(c) for c in columns)
    # RETURNING needs SQLite 3.35 (2021); with DO NOTHING it lists only the rows inserted.
    tail = (" ON CONFLICT DO NOTHING" if ignore else "") + (
        f" RETURNING {quote(returning)}" if returning else ""
    )
    # Names come from the table's metadata, quoted; values are always bound.
    return f"INSERT INTO {quote(table.name)} ({names}) VALUES {', '.join([one] * rows)}{tail}"  # noqa: S608


def insert_rows(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    ignore: bool = False,
    returning: str | None = None,
) -> list[Any]:
    """Insert `rows` (dicts with the same keys), many rows a statement, in the open transaction.

    With `returning`, gives that column of the rows actually inserted (with `ignore`, the ones
    whose key was new), in no particular order.
    """
    if not rows:
        return []
    columns = tuple(rows[0])
    if len(columns) < 2:  # itemgetter gives a tuple only for two or more keys
        raise ValueError("bulk rows need at least two columns")
    pick = operator.itemgetter(*columns)
    # Rows of one batch share their timestamps: convert each distinct value once.
    processors = _processors(table, columns, conn.dialect)
    converters = [(i, _memo(p)) for i, p in enumerate(processors) if p is not None]
    inserted: list[Any] = []
    # One statement for many rows rather than executemany: the driver drops the GIL at every
    # row it steps, and under load each drop hands the core to the event loop for a while.
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        chunk = rows[start : start + _ROWS_PER_STATEMENT]
        values: list[Any] = []
        for row in chunk:
            picked = list(pick(row))
            for i, convert in converters:
                picked[i] = convert(picked[i])
            values += picked
        # exec_driver_sql: no per-row work, but SQLAlchemy's error wrapping and events still apply.
        sql = _sql(table, columns, len(chunk), ignore, returning, conn.dialect)
        result = conn.exec_driver_sql(sql, tuple(values))
        if returning is not None:
            inserted.extend(result.scalars())
    return inserted


def _memo(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    seen: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = out = convert(value)
            return out

    return once


def connection_of(session: Executor) -> Connection:
    """The Connection under a Session (or the Connection itself)."""
    return session if isinstance(session, Connection) else session.connection()
