"""Group commit for the webhook inbox: one writer thread stores every waiting webhook at once.

Under load many webhooks arrive while one transaction commits. Instead of one transaction (and,
on SQLite with synchronous=FULL, one fsync) per request, the writer takes everything waiting,
stores it in one transaction, and answers each request once the commit holding its events is
done — so the answer still means "committed". It also spares each request a thread-pool hop.
If a shared transaction fails, each request of it is retried alone, so one bad request cannot
fail the others.

Callers see one error of their own: `StorageUnavailable`, when the database cannot be reached,
does not answer within `ANSWER_DEADLINE_S`, or the writer is stopped. Everything about the
writer's connection (kept between batches, made anew after a failure, TCP keepalives and a
statement timeout on PostgreSQL) stays in here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.pool import NullPool

from storage import inbox
from storage.db import Database
from storage.errors import StorageUnavailable
from storage.inbox import Delivery, InboxEntry

log = logging.getLogger("genba.inbox")

MAX_BATCH = 128
# LINE counts a webhook not answered within 2 s as failed, and redelivers one answered 503: a
# request waits at most this long for its commit, then hears "unavailable".
ANSWER_DEADLINE_S = 5.0
# On PostgreSQL the server cancels a statement of the writer's that runs longer than this
# (a lock never released, a stalled disk), which leaves the connection usable.
STATEMENT_TIMEOUT_MS = 3000
# libpq's TCP settings for the writer's kept connection: a connection that died silently
# (a NAT or firewall that forgot it, a server host gone) is found out while idle, within
# idle + interval * count seconds, and one stuck with unacknowledged data within the user
# timeout, instead of the kernel's ~15 minutes of retransmissions.
PG_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}
PG_CONNECT_TIMEOUT_S = 5


@dataclass
class _Waiting:
    delivery: Delivery
    future: asyncio.Future[list[str]]
    loop: asyncio.AbstractEventLoop


_STOP = None  # the queue's end marker


class InboxWriter:
    """Stores webhook deliveries in shared transactions; `store()` returns the new event ids."""

    def __init__(
        self,
        db: Database,
        *,
        max_attempts: int,
        max_batch: int = MAX_BATCH,
        answer_deadline_s: float = ANSWER_DEADLINE_S,
        statement_timeout_ms: int = STATEMENT_TIMEOUT_MS,
    ) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.max_batch = max_batch
        self.answer_deadline_s = answer_deadline_s
        self.statement_timeout_ms = statement_timeout_ms
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = threading.Event()
        self._conn: Connection | None = None  # the writer thread's own, kept between batches
        # The batch being stored and since when (monotonic), for the watchdog.
        self._current: tuple[float, list[_Waiting]] | None = None
        self._stuck = False  # the current batch is past the deadline: refuse at once
        # PostgreSQL: a connection of the writer's own, outside the pool, for its TCP settings
        # and statement timeout. SQLite: the database's engine (its hooks, its one writer).
        self._engine: Engine | None = None
        if not db.is_sqlite:
            self._engine = create_engine(
                db.engine.url,
                poolclass=NullPool,
                hide_parameters=True,
                connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, **PG_KEEPALIVES},
            )

    async def store(self, entries: list[InboxEntry], received_at: datetime) -> list[str]:
        """Store one request's entries; returns once they are committed.

        Raises StorageUnavailable when they cannot be (the request's other failures, a bug,
        are raised as they are).
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[str]] = loop.create_future()
        # Under the lock, so nothing is queued behind the stop marker that close() puts.
        with self._lock:
            if self._closed.is_set():
                raise StorageUnavailable("the inbox writer is stopped")
            if self._stuck:
                raise StorageUnavailable("the database has not answered the inbox writer")
            if not self._threads:
                self._start()
            elif not self._threads[0].is_alive():  # never seen; but then no request may hang
                raise StorageUnavailable("the inbox writer is gone")
            self._queue.put(_Waiting(Delivery(entries, received_at), future, loop))
        return await future

    def close(self, timeout: float = 10.0) -> None:
        """Store what is waiting, then stop the writer thread."""
        with self._lock:
            self._closed.set()
            threads = list(self._threads)
            if threads:
                self._queue.put(_STOP)
        for thread in threads:
            thread.join(timeout)
        if self._engine is not None:
            self._engine.dispose()

    def _start(self) -> None:
        for target, name in ((self._run, "genba-inbox-writer"), (self._watch, "genba-inbox-watch")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            self._drop_connection()

    def _serve(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stop = True
                    break
                batch.append(more)
            self._current = (time.monotonic(), batch)
            try:
                self._commit(batch)
            finally:
                with self._lock:
                    self._current, self._stuck = None, False
            if stop:
                return

    def _watch(self) -> None:
        """Answer "unavailable" to every request waiting behind a batch past the deadline.

        The writer thread may be blocked in a read that no timeout of its own ends (a server
        or proxy that stopped answering but keeps the connection open): nobody waits on it
        longer than the deadline, and until it returns new requests are refused at once.
        """
        while not self._closed.wait(self.answer_deadline_s / 4):
            current = self._current
            if current is None or time.monotonic() - current[0] < self.answer_deadline_s:
                continue
            late: list[_Waiting] = []
            with self._lock:
                # That batch has just ended, or its waiters were answered on an earlier tick
                # (answering and logging them again every tick would bury the log).
                if self._current is not current or self._stuck:
                    continue
                self._stuck = True
                late.extend(current[1])
                late.extend(self._drain())
            if late:
                log.error(
                    "the database has not answered for %.0f s; %d webhooks answered unavailable",
                    self.answer_deadline_s,
                    len(late),
                )
            _answer_all(
                [(w, StorageUnavailable("the database did not answer in time")) for w in late]
            )

    def _drain(self) -> list[_Waiting]:
        # Takes what waits in the queue (the caller holds the lock, so nothing joins it); the
        # stop marker, if found, goes back for the writer thread.
        taken: list[_Waiting] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return taken
            if item is _STOP:
                self._queue.put(_STOP)
                return taken
            taken.append(item)

    def _connection(self) -> Connection:
        # Kept open between batches: checking a connection out of the pool and back in for
        # every batch cost the writer more than some of the inserts (bench/).
        if self._conn is None:
            if self._engine is None:
                self._conn = self.db.engine.connect()
            else:
                conn = self._engine.connect()
                conn.exec_driver_sql(f"SET statement_timeout = {int(self.statement_timeout_ms)}")
                conn.commit()
                self._conn = conn
        return self._conn

    def _drop_connection(self) -> None:
        # After a failure the connection may be broken (a PostgreSQL restart, say): the next
        # batch opens a fresh one.
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def _commit(self, batch: list[_Waiting], *, fresh: bool = False) -> None:
        try:
            with self.db.write_on(self._connection()) as conn:
                results = inbox.store_many(
                    conn, [w.delivery for w in batch], max_attempts=self.max_attempts
                )
        except Exception as exc:
            self._drop_connection()
            if getattr(exc, "connection_invalidated", False) and not fresh:
                # The kept connection died in the meantime (PostgreSQL restarted): what a
                # pooled checkout would have caught. Once more, on a new one.
                log.warning("the inbox connection was lost; storing again on a new one")
                self._commit(batch, fresh=True)
                return
            if isinstance(exc, OperationalError | InterfaceError):
                # The database is away, or did not answer in time: retrying the others one by
                # one would only make each of them wait for the same timeout again.
                log.warning("the inbox cannot be stored: %s", type(exc.orig).__name__)
                _answer_all([(w, _unavailable(exc)) for w in batch])
                return
            if len(batch) == 1:  # this one request failed: a bug, or input storage refuses
                _answer_all([(batch[0], exc)])
                return
            log.warning(
                "a shared inbox transaction failed (%s); storing one by one", type(exc).__name__
            )
            for waiting in batch:
                self._commit([waiting])
            return
        _answer_all(list(zip(batch, results, strict=True)))


def _unavailable(cause: Exception) -> StorageUnavailable:
    error = StorageUnavailable("the database cannot take the events now")
    error.__cause__ = cause
    return error


def _answer_all(answers: list[tuple[_Waiting, list[str] | BaseException]]) -> None:
    # One wake-up of each event loop for the whole group, not one per request.
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Waiting, list[str] | BaseException]]]
    by_loop = {}
    for waiting, outcome in answers:
        by_loop.setdefault(waiting.loop, []).append((waiting, outcome))
    for loop, mine in by_loop.items():
        # RuntimeError: that event loop is closed, so nobody is waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, mine)


def _settle(answers: list[tuple[_Waiting, list[str] | BaseException]]) -> None:
    for waiting, outcome in answers:
        if waiting.future.done():  # answered already (the watchdog), or the request went away
            continue
        if isinstance(outcome, BaseException):
            waiting.future.set_exception(outcome)
        else:
            waiting.future.set_result(outcome)
