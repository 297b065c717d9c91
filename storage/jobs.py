"""The job queue: rows claimed by workers, with leases, retries, backoff and a dead state.

Claim rules: a job is claimable when it is `queued`, due, and no earlier unfinished job (queued
or running, by id) shares its ordering key — so one LINE user's events run strictly in order
while different users run in parallel. A retried dead job takes a new id (`retry`), so it runs
after every job of its key stored before the retry. Lower `priority` runs first (conversation
before media). Leases are timed by the database's clock on PostgreSQL (`DB_NOW`).
PostgreSQL claims with `FOR UPDATE SKIP LOCKED`; SQLite relies on the write transaction having
started with `BEGIN IMMEDIATE` (see storage/db.py), which serialises claimers.

The webhook stores its jobs as `new`, and each claim first admits the oldest `new` jobs to
`queued` (`admit`). The index that answers "an earlier unfinished job of this user?" has its
entries grouped by user, so every job entering it dirties a page of its own; written at the ack,
that was one page per webhook in every commit, and it made the ack several times dearer as a
backlog grew (bench/webhook_ack.py). Admitted in bulk by the worker, the ack only appends.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Interval,
    Table,
    and_,
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlmodel import Session

from storage import bulk
from storage.columns import UTCDateTime
from storage.dialect import Executor, insert_ignore, is_postgres
from storage.models import Job
from storage.states import JobState

EVENT = "event"  # one user's events of one webhook: a conversation step each
REPLY = "reply"  # send a committed reply with its reply token
PROFILE = "profile"  # fetch a contributor's LINE profile when the first try failed
MEDIA = "media"  # fetch and sanitise a photo
PURGE = "purge"  # delete stored files of withdrawn or discarded media
NOTICE = "notice"  # tell a worker once that their photo or video could not be used
PUSH = "push"  # send one push outbox row (storage/pushes.py)

PRIORITY = {EVENT: 0, REPLY: 0, PROFILE: 5, PURGE: 5, NOTICE: 5, PUSH: 5, MEDIA: 10}
CONVERSATION_KINDS = (EVENT, REPLY)
ALL_KINDS = (EVENT, REPLY, PROFILE, PURGE, NOTICE, PUSH, MEDIA)

# Plain strings, as the queue's SQL text quotes them (storage/states.py defines the words).
NEW = JobState.NEW.value
QUEUED = JobState.QUEUED.value
RUNNING = JobState.RUNNING.value
DONE = JobState.DONE.value
DEAD = JobState.DEAD.value
STATES = (NEW, QUEUED, RUNNING, DONE, DEAD)
# What the ordering index holds; it leaves `new` jobs out. Sound because every claim admits the
# oldest `new` jobs before it looks, a key's webhook jobs commit in id order (inbox.py), and a
# retried job re-enters as `new`: when a claim looks, a `new` job older than the job it checks
# is left only behind ADMIT_BATCH older ones (a backlog that the next claims work through).
UNFINISHED = (QUEUED, RUNNING)
ADMIT_BATCH = 1000

T: Table = Job.__table__  # type: ignore[attr-defined]  # the queue is written in Core

# Leases are timed by the database's clock on PostgreSQL, so instances whose clocks disagree
# never take each other's jobs (in the naive UTC the columns hold); SQLite is one machine's
# database, timed by the caller's `now`.
DB_NOW = literal_column("(now() AT TIME ZONE 'UTC')", UTCDateTime())


def _lease_end(postgres: bool) -> Any:
    """When a lease taken now ends (parameters from `_lease_params`)."""
    if postgres:
        return DB_NOW + bindparam("lease", type_=Interval())
    return bindparam("until", type_=T.c.lease_until.type)


def _lease_params(postgres: bool, now: datetime, lease: timedelta) -> dict[str, Any]:
    return {"lease": lease} if postgres else {"until": now + lease}


@dataclass(frozen=True)
class JobSpec:
    """A job to enqueue. A `dedup_key` makes enqueueing idempotent."""

    kind: str
    payload: str
    ordering_key: str | None = None
    dedup_key: str | None = None
    run_at: datetime | None = None


@dataclass(frozen=True)
class ClaimedJob:
    """A job this worker holds until it completes, fails or releases it."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    ordering_key: str | None

    @property
    def last_attempt(self) -> bool:
        """True when a failure now makes the job dead."""
        return self.attempts >= self.max_attempts


def enqueue_many(
    session: Executor,
    specs: Sequence[JobSpec],
    *,
    now: datetime,
    max_attempts: int = 8,
    state: str = QUEUED,
) -> None:
    """Insert jobs (`new` ones wait for `admit`); a spec whose dedup key exists is skipped."""
    if not specs:
        return
    rows = [_row(s, now=now, max_attempts=max_attempts, state=state) for s in specs]
    if is_postgres(session):
        # executemany of one cached statement (a multi-VALUES insert is compiled every time)
        session.execute(insert_ignore(session, T), rows)
    else:
        bulk.insert_rows(bulk.connection_of(session), T, rows, ignore=True)


def _row(spec: JobSpec, *, now: datetime, max_attempts: int, state: str = QUEUED) -> dict[str, Any]:
    return {
        "kind": spec.kind,
        "priority": PRIORITY[spec.kind],
        "ordering_key": spec.ordering_key,
        "dedup_key": spec.dedup_key,
        "payload": spec.payload,
        "state": state,
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_at": spec.run_at or now,
        "created_at": now,
        "updated_at": now,
    }


def enqueue(session: Session, spec: JobSpec, *, now: datetime, max_attempts: int = 8) -> int | None:
    """Insert one job; returns its id, or None when its dedup key existed already."""
    row = session.execute(
        insert_ignore(session, T)
        .values(_row(spec, now=now, max_attempts=max_attempts))
        .returning(T.c.id)
    ).first()
    return None if row is None else int(row[0])


@functools.cache
def _claim_statements(kinds: tuple[str, ...], by_id: bool, postgres: bool) -> tuple[Any, Any]:
    """The claim's SELECT and UPDATE, built once per shape (building them costs ~0.4 ms)."""
    j = T.alias("j")
    e = T.alias("e")
    earlier = (
        select(e.c.id)
        .where(
            e.c.ordering_key == j.c.ordering_key,
            e.c.id < j.c.id,
            # Literal, not bound: SQLite uses the partial index only when it can see the
            # query's condition implies the index's.
            text(f"e.state IN {UNFINISHED!r}"),
        )
        .correlate(j)
    )
    query = select(j.c.id).where(
        j.c.state == QUEUED,
        j.c.run_at <= bindparam("now", type_=T.c.run_at.type),
        j.c.kind.in_(kinds),
        or_(j.c.ordering_key.is_(None), ~exists(earlier)),
    )
    if by_id:
        query = query.where(j.c.id == bindparam("job_id"))
    query = query.order_by(j.c.priority, j.c.id).limit(1)
    if postgres:
        query = query.with_for_update(skip_locked=True, of=j)
    take = (
        update(T)
        .where(T.c.id == bindparam("found"), T.c.state == QUEUED)
        .values(
            state=RUNNING,
            attempts=T.c.attempts + 1,
            locked_by=bindparam("worker"),
            lease_until=_lease_end(postgres),
            updated_at=bindparam("at", type_=T.c.updated_at.type),
        )
        .returning(T.c.id, T.c.kind, T.c.payload, T.c.attempts, T.c.max_attempts, T.c.ordering_key)
    )
    return query, take


@functools.cache
def _admit_statements(postgres: bool) -> tuple[Any, Any]:
    # Literal, so SQLite sees the partial index ix_job_new applies (as in _claim_statements).
    oldest = (
        select(T.c.id).where(text(f"state = '{NEW}'")).order_by(T.c.id).limit(bindparam("limit"))
    )
    if postgres:
        # Locked in id order, so two claimers admitting at once queue up instead of deadlocking.
        oldest = oldest.with_for_update()
    # Two statements, not `id IN (subquery)`: PostgreSQL planned that as a scan of the whole
    # table (every job ever) joined to the subquery, ~30 ms a claim with 200,000 jobs.
    admitted = (
        update(T)
        .where(T.c.id.in_(bindparam("ids", expanding=True)), T.c.state == NEW)
        .values(state=QUEUED, updated_at=bindparam("at", type_=T.c.updated_at.type))
    )
    return oldest, admitted


def admit(session: Executor, *, now: datetime, limit: int = ADMIT_BATCH) -> int:
    """Move the oldest `new` jobs (the webhook's, and retried ones) to `queued`; how many."""
    oldest, admitted = _admit_statements(is_postgres(session))
    ids = list(session.execute(oldest, {"limit": limit}).scalars())
    if not ids:
        return 0
    return _rowcount(session.execute(admitted, {"ids": ids, "at": now}))


def claim(
    session: Session,
    *,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    kinds: Sequence[str] = ALL_KINDS,
    job_id: int | None = None,
) -> ClaimedJob | None:
    """Take the next claimable job of these kinds (or exactly `job_id`), or None.

    The lease ends `lease` from `now`, or from the database's clock on PostgreSQL.
    """
    admit(session, now=now)  # also before a claim by id: an older job may still be `new`
    query, take = _claim_statements(tuple(kinds), job_id is not None, is_postgres(session))
    params: dict[str, Any] = {"now": now}
    if job_id is not None:
        params["job_id"] = job_id
    found = session.execute(query, params).scalar_one_or_none()
    if found is None:
        return None
    postgres = is_postgres(session)
    taking = {"found": found, "worker": worker_id, "at": now} | _lease_params(postgres, now, lease)
    row = session.execute(take, taking).one_or_none()
    return None if row is None else _claimed(row)


def _claimed(row: Any) -> ClaimedJob:
    return ClaimedJob(
        id=row.id,
        kind=row.kind,
        payload=json.loads(row.payload),
        attempts=row.attempts,
        max_attempts=row.max_attempts,
        ordering_key=row.ordering_key,
    )


def _owned(job_id: int, worker_id: str) -> Any:
    return and_(T.c.id == job_id, T.c.state == RUNNING, T.c.locked_by == worker_id)


def _held(job_ids: Sequence[int], worker_id: str) -> Any:
    return and_(T.c.id.in_(job_ids), T.c.state == RUNNING, T.c.locked_by == worker_id)


def complete(session: Session, job_id: int, *, worker_id: str, now: datetime) -> bool:
    """Mark a held job done; False if this worker no longer holds it (its lease ran out)."""
    result = session.execute(
        update(T)
        .where(_owned(job_id, worker_id))
        .values(state=DONE, finished_at=now, updated_at=now, lease_until=None)
    )
    return _rowcount(result) > 0


def fail(
    session: Session,
    job: ClaimedJob,
    *,
    worker_id: str,
    now: datetime,
    error: str,
    retry_at: datetime | None,
) -> str | None:
    """Record a failure: back to `queued` at `retry_at`, or `dead` when out of attempts or None.

    Returns the new state, or None when this worker no longer held the job.
    """
    dead = retry_at is None or job.last_attempt
    values: dict[str, Any] = {
        "last_error": error[:2000],
        "updated_at": now,
        "locked_by": None,
        "lease_until": None,
    }
    if dead:
        values.update(state=DEAD, finished_at=now)
    else:
        values.update(state=QUEUED, run_at=retry_at)
    result = session.execute(update(T).where(_owned(job.id, worker_id)).values(**values))
    if not _rowcount(result):
        return None
    return DEAD if dead else QUEUED


def enqueue_dead(
    session: Session, spec: JobSpec, *, now: datetime, error: str, attempts: int
) -> int:
    """Record work that already failed for good as a dead job, for an operator to retry."""
    row = _row(spec, now=now, max_attempts=attempts) | {
        "state": DEAD,
        "attempts": attempts,
        "last_error": error[:2000],
        "finished_at": now,
    }
    return int(session.execute(insert(T).values(row).returning(T.c.id)).scalar_one())


def release(session: Session, job_ids: Sequence[int], *, worker_id: str, now: datetime) -> int:
    """Give held jobs back without counting the attempt (used on shutdown)."""
    if not job_ids:
        return 0
    result = session.execute(
        update(T)
        .where(_held(job_ids, worker_id))
        .values(
            state=QUEUED,
            attempts=T.c.attempts - 1,
            locked_by=None,
            lease_until=None,
            run_at=now,
            updated_at=now,
        )
    )
    return _rowcount(result)


def renew(
    session: Session, job_ids: Sequence[int], *, worker_id: str, now: datetime, lease: timedelta
) -> int:
    """Extend the lease of jobs this worker still runs (as `claim` does); how many it holds."""
    if not job_ids:
        return 0
    postgres = is_postgres(session)
    result = session.execute(
        update(T)
        .where(_held(job_ids, worker_id))
        .values(lease_until=_lease_end(postgres), updated_at=now),
        _lease_params(postgres, now, lease),
    )
    return _rowcount(result)


LEASE_EXPIRED = "the worker running it stopped answering (lease expired)"


def reap(session: Session, *, now: datetime) -> tuple[int, list[ClaimedJob]]:
    """Return jobs whose worker vanished (lease expired) to the queue, or bury them if spent.

    Returns how many went back, and the buried ones (their kind's give-up step must run).
    On PostgreSQL a lease is over by the database's clock, not by `now`.
    """
    clock = DB_NOW if is_postgres(session) else now
    expired = and_(T.c.state == RUNNING, T.c.lease_until < clock)
    buried = session.execute(
        update(T)
        .where(expired, T.c.attempts >= T.c.max_attempts)
        .values(
            state=DEAD,
            finished_at=now,
            updated_at=now,
            locked_by=None,
            lease_until=None,
            last_error=LEASE_EXPIRED,
        )
        .returning(T.c.id, T.c.kind, T.c.payload, T.c.attempts, T.c.max_attempts, T.c.ordering_key)
    ).all()
    back = session.execute(
        update(T)
        .where(expired)
        .values(state=QUEUED, run_at=now, updated_at=now, locked_by=None, lease_until=None)
    )
    return _rowcount(back), [_claimed(r) for r in buried]


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def get(session: Session, job_id: int) -> Job | None:
    """The job row, or None."""
    return session.get(Job, job_id)


def list_jobs(
    session: Session, *, state: str | None, limit: int, before_id: int | None = None
) -> list[Job]:
    """Jobs newest first, optionally in one state, for the admin API."""
    query = select(Job)
    if state is not None:
        query = query.where(T.c.state == state)
    if before_id is not None:
        query = query.where(T.c.id < before_id)
    return list(session.execute(query.order_by(T.c.id.desc()).limit(limit)).scalars())


def retry(session: Session, job_id: int, *, now: datetime) -> Job | None:
    """Put a dead job back with fresh attempts, as `new`, under a new id; None unless dead.

    The new id puts it behind every job of its user stored so far: the claim keeps one key's
    jobs in id order, and with its old, smaller id the job would run beside a later one.
    """
    dead = session.execute(
        select(T.c.ordering_key).where(T.c.id == job_id, T.c.state == DEAD)
    ).first()
    if dead is None:
        return None
    if dead.ordering_key is not None:
        hold_order(session, [dead.ordering_key])
    if is_postgres(session):
        # The sequence the inserts draw from, so the id is one no insert will take.
        new_id: Any = func.nextval(func.pg_get_serial_sequence(T.name, "id"))
    else:
        # SQLite gives a new row max(id) + 1 as well; the write lock (BEGIN IMMEDIATE) is held.
        new_id = select(func.max(T.c.id) + 1).scalar_subquery()
    # As `new`, not `queued`: it must enter the queue behind its user's jobs that still wait
    # for admission, or the ordering index (which holds no `new` job) would not stop it.
    moved = session.execute(
        update(T)
        .where(T.c.id == job_id, T.c.state == DEAD)
        .values(id=new_id, state=NEW, attempts=0, run_at=now, updated_at=now, finished_at=None)
        .returning(T.c.id)
    ).scalar_one_or_none()
    if moved is None:
        return None
    return session.get(Job, moved, populate_existing=True)


def hold_order(session: Executor, keys: Sequence[str]) -> None:
    """On PostgreSQL, lock these ordering keys until commit, so their new ids commit in order.

    Ids come from a sequence at insert time, but commits can land in another order; a claimer
    that saw a key's later job before its earlier one would run both at once. Sorted, so two
    transactions locking several keys cannot deadlock. (SQLite has one writer at a time.)
    """
    if not is_postgres(session):
        return
    for key in sorted(set(keys)):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})


def counts(session: Session) -> dict[str, int]:
    """Number of jobs per state (for metrics)."""
    rows = session.execute(select(T.c.state, func.count()).group_by(T.c.state)).all()
    return dict.fromkeys(STATES, 0) | {r[0]: int(r[1]) for r in rows}
