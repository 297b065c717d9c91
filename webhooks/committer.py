"""Group commit for the webhook inbox: one writer thread stores every waiting webhook at once.

Under load many webhooks arrive while one transaction commits. Instead of one transaction (and,
on SQLite with synchronous=FULL, one fsync) per request, the writer takes everything waiting,
stores it in one transaction, and answers each request once the commit holding its events is
done — so the 200 still means "committed". It also spares each request a thread-pool hop.
If a shared transaction fails, each request of it is retried alone, so one bad request cannot
turn the others into 503s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import InterfaceError, OperationalError

from storage import inbox
from storage.db import Database
from storage.inbox import Delivery, InboxEntry

log = logging.getLogger("genba.webhook")

MAX_BATCH = 128


class CommitterStopped(Exception):
    """The committer no longer takes requests (the app is shutting down)."""


@dataclass
class _Waiting:
    delivery: Delivery
    future: asyncio.Future[list[str]]
    loop: asyncio.AbstractEventLoop


class InboxCommitter:
    """Stores webhook deliveries in shared transactions; `store()` returns the new event ids."""

    def __init__(self, db: Database, *, max_attempts: int, max_batch: int = MAX_BATCH) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._conn: Connection | None = None  # the writer thread's own, kept between batches

    async def store(self, entries: list[InboxEntry], received_at: datetime) -> list[str]:
        """Store one request's entries; returns once they are committed (raises if not)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[str]] = loop.create_future()
        # Under the lock, so nothing is queued behind the stop marker that close() puts.
        with self._lock:
            if self._closed:
                raise CommitterStopped("the inbox is closed")
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="genba-inbox-writer", daemon=True
                )
                self._thread.start()
            elif not self._thread.is_alive():  # never seen; but then no request may hang
                raise CommitterStopped("the inbox writer is gone")
            self._queue.put(_Waiting(Delivery(entries, received_at), future, loop))
        return await future

    def close(self, timeout: float = 10.0) -> None:
        """Store what is waiting, then stop the writer thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            self._drop_connection()

    def _serve(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self.max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                return

    def _connection(self) -> Connection:
        # Kept open between batches: checking a connection out of the pool and back in for
        # every batch cost the writer more than some of the inserts (bench/).
        if self._conn is None:
            self._conn = self.db.engine.connect()
        return self._conn

    def _drop_connection(self) -> None:
        # After a failure the connection may be broken (a PostgreSQL restart, say): the next
        # batch opens a fresh one from the pool, which checks it first.
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
            if len(batch) == 1 or isinstance(exc, OperationalError | InterfaceError):
                # The database is away (or this one request failed): retrying the others one by
                # one would only make each of them wait for the same timeout again.
                _answer_all([(w, exc) for w in batch])
                return
            log.warning(
                "a shared inbox transaction failed (%s); storing one by one", type(exc).__name__
            )
            for waiting in batch:
                self._commit([waiting])
            return
        _answer_all(list(zip(batch, results, strict=True)))


def _answer(waiting: _Waiting, outcome: list[str] | BaseException) -> None:
    _answer_all([(waiting, outcome)])


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
        if waiting.future.done():  # the request went away meanwhile
            continue
        if isinstance(outcome, BaseException):
            waiting.future.set_exception(outcome)
        else:
            waiting.future.set_result(outcome)
