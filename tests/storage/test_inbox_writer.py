"""The inbox writer: shared transactions, yet every request answered on its own merits, and in
time: a database that is away or stops answering is `StorageUnavailable`, never a hang."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from storage.db import Database
from storage.errors import StorageUnavailable
from storage.inbox import InboxEntry
from storage.inbox_writer import PG_KEEPALIVES, STATEMENT_TIMEOUT_MS, InboxWriter
from storage.models import Job, WebhookEvent
from tests.frozen_proxy import FrozenProxy, proxied, upstream_of
from tests.inbox_entries import user_event

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def entry(n: int, user: str = "U1") -> InboxEntry:
    return user_event(f"ev-{n}", user)


def stored_ids(db: Database) -> list[str]:
    with db.read() as s:
        return sorted(s.execute(select(WebhookEvent.id)).scalars())  # type: ignore[call-overload]


async def test_many_concurrent_requests_are_all_stored_with_their_jobs(db: Database) -> None:
    writer = InboxWriter(db, max_attempts=3)
    try:
        results = await asyncio.gather(
            *(writer.store([entry(n, f"U{n % 4}")], NOW) for n in range(60))
        )
    finally:
        writer.close()
    assert results == [[f"ev-{n}"] for n in range(60)]
    assert len(stored_ids(db)) == 60
    with db.read() as s:
        jobs = list(s.execute(select(Job)).scalars())
    assert len(jobs) == 60
    for user in ("U0", "U1", "U2", "U3"):  # each user's jobs in the order of the requests
        mine = [j for j in jobs if j.ordering_key == f"user:{user}"]
        assert [j.dedup_key for j in sorted(mine, key=lambda j: j.id or 0)] == [
            f"event:ev-{n}" for n in range(60) if n % 4 == int(user[1])
        ]


async def test_a_duplicate_across_requests_of_one_batch_is_stored_once(db: Database) -> None:
    writer = InboxWriter(db, max_attempts=3)
    try:
        first, second = await asyncio.gather(
            writer.store([entry(1)], NOW), writer.store([entry(1), entry(2)], NOW)
        )
    finally:
        writer.close()
    assert sorted(first + second) == ["ev-1", "ev-2"]
    assert stored_ids(db) == ["ev-1", "ev-2"]


async def test_one_bad_request_does_not_fail_the_others_in_its_batch(db: Database) -> None:
    writer = InboxWriter(db, max_attempts=3)
    broken = InboxEntry(id="ev-bad", payload=None, status="queued")  # type: ignore[arg-type]
    try:
        outcomes = await asyncio.gather(
            *(writer.store([entry(n)], NOW) for n in range(5)),
            writer.store([broken], NOW),
            *(writer.store([entry(n)], NOW) for n in range(5, 10)),
            return_exceptions=True,
        )
    finally:
        writer.close()
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(failures) == 1
    assert not isinstance(failures[0], StorageUnavailable)  # its own fault, not the database's
    assert stored_ids(db) == sorted(f"ev-{n}" for n in range(10))


async def test_a_closed_writer_refuses_new_work(db: Database) -> None:
    writer = InboxWriter(db, max_attempts=3)
    await writer.store([entry(1)], NOW)
    writer.close()
    with pytest.raises(StorageUnavailable):
        await writer.store([entry(2)], NOW)


async def test_a_lost_database_connection_between_batches_costs_no_request(
    postgres_url: str,
) -> None:
    db = Database(postgres_url)
    SQLModel.metadata.create_all(db.engine)
    writer = InboxWriter(db, max_attempts=3)
    try:
        assert await writer.store([entry(1)], NOW) == ["ev-1"]
        # The writer keeps its connection between batches; end it from the server's side,
        # as a PostgreSQL restart or an idle timeout would.
        kept = writer._conn
        assert kept is not None
        pid = kept.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
        with db.engine.connect() as admin:
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        assert await writer.store([entry(2)], NOW) == ["ev-2"]
    finally:
        writer.close()
        db.dispose()
    assert stored_ids(db) == ["ev-1", "ev-2"]


async def test_an_unreachable_database_is_storage_unavailable() -> None:
    writer = InboxWriter(Database("postgresql://nobody@127.0.0.1:9/none"), max_attempts=3)
    try:
        with pytest.raises(StorageUnavailable):
            await writer.store([entry(1)], NOW)
    finally:
        writer.close()


SHOW_TIMEOUT = "SELECT setting FROM pg_settings WHERE name = 'statement_timeout'"  # in ms


async def test_a_server_that_stops_answering_is_unavailable_in_time_then_stores_again(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    direct = Database(postgres_url)
    SQLModel.metadata.create_all(direct.engine)
    with FrozenProxy(upstream_of(postgres_url)) as proxy:
        db = Database(proxied(postgres_url, proxy.port))
        writer = InboxWriter(db, max_attempts=3, answer_deadline_s=0.5)
        try:
            assert await writer.store([entry(1)], NOW) == ["ev-1"]
            proxy.freeze()  # the kept connection stays open; no byte comes back
            # The writer's thread is stuck in a read no timeout of its own ends: the request
            # behind it, and the next, must still be answered (generous bound: returning at
            # all is what is checked, not how fast).
            for n in (2, 3):
                with pytest.raises(StorageUnavailable):
                    await asyncio.wait_for(writer.store([entry(n)], NOW), timeout=120)
            await asyncio.sleep(1.0)  # eight watchdog ticks while the batch stays stuck
            # The operator reads one line for the stuck batch, not one per tick.
            stuck_lines = [r for r in caplog.records if "has not answered for" in r.message]
            assert len(stuck_lines) == 1
            proxy.thaw()
            # LINE redelivers what was not acknowledged; the writer recovers by itself.
            assert await redelivered(writer, [entry(2), entry(3), entry(4)]) == "stored"
        finally:
            writer.close()
            db.dispose()
    assert stored_ids(direct) == ["ev-1", "ev-2", "ev-3", "ev-4"]
    direct.dispose()


async def redelivered(writer: InboxWriter, entries: list[InboxEntry]) -> str:
    """Store as LINE redelivers: again after each "unavailable", a bounded number of times."""
    for _ in range(600):
        try:
            await asyncio.wait_for(writer.store(entries, NOW), timeout=120)
        except StorageUnavailable:
            await asyncio.sleep(0.1)
            continue
        return "stored"
    return "never stored"


async def test_a_statement_the_server_cannot_run_is_cancelled_not_waited_on(
    postgres_url: str,
) -> None:
    db = Database(postgres_url)
    SQLModel.metadata.create_all(db.engine)
    # A long deadline: the server's statement timeout is what must answer here.
    writer = InboxWriter(db, max_attempts=3, answer_deadline_s=600, statement_timeout_ms=300)
    try:
        assert await writer.store([entry(1)], NOW) == ["ev-1"]
        with db.engine.connect() as other:  # holds the inbox locked, as a stuck migration might
            other.exec_driver_sql("LOCK TABLE webhook_event IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(StorageUnavailable):
                await asyncio.wait_for(writer.store([entry(2)], NOW), timeout=120)
            other.rollback()
        assert await writer.store([entry(2)], NOW) == ["ev-2"]
    finally:
        writer.close()
    assert stored_ids(db) == ["ev-1", "ev-2"]
    db.dispose()


async def test_only_the_writer_s_connection_has_keepalives_and_a_statement_timeout(
    postgres_url: str,
) -> None:
    db = Database(postgres_url)
    SQLModel.metadata.create_all(db.engine)
    writer = InboxWriter(db, max_attempts=3)
    try:
        await writer.store([entry(1)], NOW)
        kept = writer._conn
        assert kept is not None
        params = kept.connection.driver_connection.info.get_parameters()  # type: ignore[union-attr]
        assert {k: params.get(k) for k in PG_KEEPALIVES} == {
            k: str(v) for k, v in PG_KEEPALIVES.items()
        }
        timeout = kept.exec_driver_sql(SHOW_TIMEOUT).scalar()
        kept.rollback()
        assert timeout == str(STATEMENT_TIMEOUT_MS)
        with db.engine.connect() as pooled:  # the rest of the application is not limited
            assert pooled.exec_driver_sql(SHOW_TIMEOUT).scalar() == "0"
    finally:
        writer.close()
        db.dispose()
