"""SQLite's driver-level inserts (the webhook's hot path) store exactly what SQLAlchemy would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Table, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage import bulk, migrate
from storage.db import Database, sqlite_url
from storage.models import WebhookEvent

T: Table = WebhookEvent.__table__  # type: ignore[attr-defined]
WHOLE_SECOND = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # no microseconds: the tricky case


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(sqlite_url(tmp_path / "genba.db"))
    migrate.upgrade(database)
    yield database
    database.dispose()


@contextmanager
def writing(db: Database) -> Iterator[Connection]:
    with db.engine.connect() as conn, db.write_on(conn):
        yield conn


def row(n: int, **over: object) -> dict[str, object]:
    values: dict[str, object] = {
        "id": f"ev-{n:04d}",
        "received_at": WHOLE_SECOND + timedelta(microseconds=n % 2),
        "event_type": "message",
        "mode": None,
        "source_type": "user",
        "source_id": "U1",
        "redelivery": n % 3 == 0,
        "status": "queued",
        "payload": f'{{"n": {n}, "text": "こんにちは"}}',
        "note": None,
    }
    return values | over


def stored_text(db: Database, column: str) -> list[str]:
    with db.read() as s:
        return list(s.execute(text(f"SELECT {column} FROM webhook_event ORDER BY id")).scalars())


def test_rows_read_back_as_given_and_timestamps_are_spelt_as_sqlalchemy_spells_them(
    sqlite_db: Database,
) -> None:
    with writing(sqlite_db) as conn:
        bulk.insert_rows(conn, T, [row(0), row(1)])
    with sqlite_db.write() as s:  # the same kind of row, through SQLAlchemy's own path
        s.add(WebhookEvent(**row(2)))  # type: ignore[arg-type]
    with sqlite_db.read() as s:
        got = {e.id: e for e in s.exec(select(WebhookEvent))}
    assert got["ev-0000"].received_at == WHOLE_SECOND
    assert got["ev-0001"].received_at == WHOLE_SECOND + timedelta(microseconds=1)
    assert got["ev-0000"].redelivery is True and got["ev-0001"].redelivery is False
    assert got["ev-0000"].payload == '{"n": 0, "text": "こんにちは"}'
    spelt = stored_text(sqlite_db, "received_at")
    # Compared as text by SQLite: a bulk row must not drop ".000000" where the ORM keeps it.
    assert spelt[0] == spelt[2] == "2026-11-27 09:00:00.000000"


def test_many_rows_span_several_statements_and_all_arrive(sqlite_db: Database) -> None:
    with writing(sqlite_db) as conn:
        bulk.insert_rows(conn, T, [row(n) for n in range(300)])
    with writing(sqlite_db) as conn:
        rows = [row(n) for n in range(250, 700)]  # 50 known, 400 new, over three statements
        new = bulk.insert_rows(conn, T, rows, ignore=True, returning="id")
    assert sorted(new) == [f"ev-{n:04d}" for n in range(300, 700)]
    assert len(stored_text(sqlite_db, "id")) == 700


def test_ignore_skips_rows_whose_key_exists_and_keeps_the_others(sqlite_db: Database) -> None:
    with writing(sqlite_db) as conn:
        bulk.insert_rows(conn, T, [row(1)])
    with writing(sqlite_db) as conn:
        bulk.insert_rows(conn, T, [row(1, payload="changed"), row(2)], ignore=True)
    assert stored_text(sqlite_db, "payload") == [
        '{"n": 1, "text": "こんにちは"}',
        '{"n": 2, "text": "こんにちは"}',
    ]


def test_a_bad_row_fails_the_whole_transaction(sqlite_db: Database) -> None:
    with pytest.raises(IntegrityError), writing(sqlite_db) as conn:
        bulk.insert_rows(conn, T, [row(1), row(2, payload=None)])
    assert stored_text(sqlite_db, "id") == []
