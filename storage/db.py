"""Engines and transactions for SQLite (embedded default) and PostgreSQL.

SQLite: WAL, a busy timeout, foreign keys on, and `synchronous` from settings (FULL by default,
so an acknowledged webhook survives a power loss too). Write transactions start with
`BEGIN IMMEDIATE`: a deferred transaction that reads and then writes can fail with SQLITE_BUSY
whatever the timeout, and SQLAlchemy silently drops `FOR UPDATE` on SQLite.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from storage.private import close_up, create_file, make_folder

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


def normalise_url(url: str) -> str:
    """Map `postgres://` and `postgresql://` to the psycopg 3 driver; leave others alone."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


class Database:
    """An engine plus the two kinds of transaction the application uses."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "FULL", pool_size: int = 10) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if sqlite_synchronous.upper() not in SQLITE_SYNCHRONOUS:
                raise ValueError(f"sqlite synchronous must be one of {SQLITE_SYNCHRONOUS}")
            if parsed.database and parsed.database != ":memory:":
                _private_sqlite_file(Path(parsed.database))
            self.engine = create_engine(
                self.url,
                connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
                pool_size=pool_size,
                max_overflow=pool_size,
                hide_parameters=True,  # errors would otherwise print LINE ids and messages
            )
            _install_sqlite_hooks(self.engine, sqlite_synchronous.upper())
        else:
            self.engine = create_engine(
                self.url,
                hide_parameters=True,
                pool_pre_ping=True,
                pool_size=pool_size,
                max_overflow=pool_size,
                connect_args={"connect_timeout": 5},
            )
        self._reader = self.engine.execution_options(genba_begin="DEFERRED")
        # SQLite has one writer at a time. Threads of this process queue here, in order, rather
        # than in SQLite's busy handler, which sleeps and retries and makes waits of seconds
        # under load. Other processes still meet the busy timeout.
        self._write_lock = threading.RLock() if self.is_sqlite else None

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on error."""
        with (
            self._write_lock or nullcontext(),
            Session(self.engine, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def write_on(self, conn: Connection) -> Iterator[Connection]:
        """A write transaction on a connection the caller keeps (one writer thread's own)."""
        with self._write_lock or nullcontext(), conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (never takes SQLite's write lock)."""
        with Session(self._reader, expire_on_commit=False) as session, session.begin():
            yield session

    def ping(self) -> None:
        """Raise when the database cannot answer a trivial query (never takes a write lock)."""
        with self._reader.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _private_sqlite_file(path: Path) -> None:
    # SQLite would create the file 0644; it gives the -wal and -shm files the database file's
    # mode, so a private database file is enough for all three. Leftovers of older versions
    # are closed up too. A path that cannot be a database (a folder in the way, a read-only
    # disk) is left for SQLite to report when it connects: unavailable, not a failed start.
    with contextlib.suppress(OSError):
        make_folder(path.parent)
        create_file(path)
    for name in ("", "-wal", "-shm"):
        close_up(path.with_name(path.name + name))


def _install_sqlite_hooks(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself; pysqlite's own implicit
        # BEGIN is deferred and would defeat BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("genba_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")
