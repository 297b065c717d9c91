"""Group commit of the inbox: shared transactions, yet every request answered on its own merits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.inbox import InboxEntry
from storage.models import Job, WebhookEvent
from tests.inbox_entries import user_event
from webhooks.committer import CommitterStopped, InboxCommitter

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def entry(n: int, user: str = "U1") -> InboxEntry:
    return user_event(f"ev-{n}", user)


def stored_ids(db: Database) -> list[str]:
    with db.read() as s:
        return sorted(s.execute(select(WebhookEvent.id)).scalars())  # type: ignore[call-overload]


async def test_many_concurrent_requests_are_all_stored_with_their_jobs(db: Database) -> None:
    committer = InboxCommitter(db, max_attempts=3)
    try:
        results = await asyncio.gather(
            *(committer.store([entry(n, f"U{n % 4}")], NOW) for n in range(60))
        )
    finally:
        committer.close()
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
    committer = InboxCommitter(db, max_attempts=3)
    try:
        first, second = await asyncio.gather(
            committer.store([entry(1)], NOW), committer.store([entry(1), entry(2)], NOW)
        )
    finally:
        committer.close()
    assert sorted(first + second) == ["ev-1", "ev-2"]
    assert stored_ids(db) == ["ev-1", "ev-2"]


async def test_one_bad_request_does_not_fail_the_others_in_its_batch(db: Database) -> None:
    committer = InboxCommitter(db, max_attempts=3)
    broken = InboxEntry(id="ev-bad", payload=None, status="queued")  # type: ignore[arg-type]
    try:
        outcomes = await asyncio.gather(
            *(committer.store([entry(n)], NOW) for n in range(5)),
            committer.store([broken], NOW),
            *(committer.store([entry(n)], NOW) for n in range(5, 10)),
            return_exceptions=True,
        )
    finally:
        committer.close()
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(failures) == 1
    assert stored_ids(db) == sorted(f"ev-{n}" for n in range(10))


async def test_a_closed_committer_refuses_new_work(db: Database) -> None:
    committer = InboxCommitter(db, max_attempts=3)
    await committer.store([entry(1)], NOW)
    committer.close()
    with pytest.raises(CommitterStopped):
        await committer.store([entry(2)], NOW)


async def test_a_lost_database_connection_between_batches_costs_no_request(
    postgres_url: str,
) -> None:
    from sqlmodel import SQLModel

    db = Database(postgres_url)
    SQLModel.metadata.create_all(db.engine)
    committer = InboxCommitter(db, max_attempts=3)
    try:
        assert await committer.store([entry(1)], NOW) == ["ev-1"]
        # The committer keeps its connection between batches; end it from the server's side,
        # as a PostgreSQL restart or an idle timeout would.
        kept = committer._conn
        assert kept is not None
        pid = kept.connection.driver_connection.info.backend_pid  # type: ignore[union-attr]
        with db.engine.connect() as admin:
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        assert await committer.store([entry(2)], NOW) == ["ev-2"]
    finally:
        committer.close()
        db.dispose()
    assert stored_ids(db) == ["ev-1", "ev-2"]
