"""The job queue on both backends: ordering, exclusivity, leases, retries and the dead state."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import SQLModel

from storage import inbox, jobs
from storage.db import Database
from storage.inbox import Delivery
from storage.jobs import JobSpec
from tests.inbox_entries import user_event

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def put(db: Database, *specs: JobSpec, now: datetime = T0, max_attempts: int = 3) -> None:
    with db.write() as s:
        jobs.enqueue_many(s, list(specs), now=now, max_attempts=max_attempts)


def take(
    db: Database, worker: str = "w1", now: datetime = T0, lease: timedelta = LEASE, **kw
) -> jobs.ClaimedJob | None:
    with db.write() as s:
        return jobs.claim(s, worker_id=worker, now=now, lease=lease, **kw)


def finish(db: Database, job: jobs.ClaimedJob, worker: str = "w1", now: datetime = T0) -> bool:
    with db.write() as s:
        return jobs.complete(s, job.id, worker_id=worker, now=now)


def ev(user: str, n: int) -> JobSpec:
    return JobSpec(kind=jobs.EVENT, payload=f'{{"n": {n}}}', ordering_key=user, dedup_key=f"e{n}")


class TestOrdering:
    def test_one_users_jobs_wait_for_the_earlier_one(self, db: Database) -> None:
        put(db, ev("U1", 1), ev("U1", 2))
        first = take(db)
        assert first is not None and first.payload == {"n": 1}
        assert take(db, "w2") is None  # job 2 must wait while job 1 runs
        assert finish(db, first)
        second = take(db, "w2")
        assert second is not None and second.payload == {"n": 2}

    def test_different_users_run_in_parallel(self, db: Database) -> None:
        put(db, ev("U1", 1), ev("U1", 2), ev("U2", 3))
        a, b = take(db, "w1"), take(db, "w2")
        assert a is not None and b is not None
        assert {a.payload["n"], b.payload["n"]} == {1, 3}

    def test_a_retrying_job_still_blocks_its_users_later_jobs(self, db: Database) -> None:
        put(db, ev("U1", 1), ev("U1", 2))
        first = take(db)
        assert first is not None
        with db.write() as s:
            state = jobs.fail(
                s, first, worker_id="w1", now=T0, error="boom", retry_at=T0 + timedelta(minutes=1)
            )
        assert state == jobs.QUEUED
        assert take(db, now=T0 + timedelta(seconds=30)) is None
        again = take(db, now=T0 + timedelta(minutes=2))
        assert again is not None and again.payload == {"n": 1} and again.attempts == 2

    def test_a_dead_job_does_not_block_its_user_forever(self, db: Database) -> None:
        put(db, ev("U1", 1), ev("U1", 2), max_attempts=1)
        first = take(db)
        assert first is not None
        with db.write() as s:
            assert jobs.fail(s, first, worker_id="w1", now=T0, error="x", retry_at=T0) == jobs.DEAD
        nxt = take(db)
        assert nxt is not None and nxt.payload == {"n": 2}

    def test_conversation_jobs_go_before_media_jobs(self, db: Database) -> None:
        put(db, JobSpec(kind=jobs.MEDIA, payload="{}", dedup_key="m1"), ev("U1", 1))
        first = take(db)
        assert first is not None and first.kind == jobs.EVENT

    def test_kinds_filter_keeps_conversation_threads_off_downloads(self, db: Database) -> None:
        put(db, JobSpec(kind=jobs.MEDIA, payload="{}", dedup_key="m1"))
        assert take(db, kinds=jobs.CONVERSATION_KINDS) is None
        assert take(db) is not None

    def test_future_jobs_are_not_claimed_early(self, db: Database) -> None:
        put(db, JobSpec(kind=jobs.MEDIA, payload="{}", run_at=T0 + timedelta(minutes=5)))
        assert take(db) is None
        assert take(db, now=T0 + timedelta(minutes=5)) is not None


class TestIdempotence:
    def test_the_same_dedup_key_is_enqueued_once(self, db: Database) -> None:
        put(db, ev("U1", 1))
        put(db, ev("U1", 1))
        assert take(db) is not None
        assert take(db, "w2") is None
        with db.read() as s:
            assert jobs.counts(s)[jobs.RUNNING] == 1
            assert sum(jobs.counts(s).values()) == 1


# A lease over as soon as it is taken: later transactions find it expired by either clock (the
# caller's `now` on SQLite, the database's on PostgreSQL).
SPENT = timedelta(0)


class TestLeases:
    def test_an_expired_lease_puts_the_job_back(self, db: Database) -> None:
        put(db, ev("U1", 1))
        held = take(db, "crashed", lease=SPENT)
        assert held is not None
        later = T0 + timedelta(seconds=1)
        with db.write() as s:
            assert jobs.reap(s, now=later) == (1, [])
        again = take(db, "w2", now=later)
        assert again is not None and again.id == held.id and again.attempts == 2
        # The crashed worker can no longer finish what it lost.
        assert not finish(db, held, "crashed", now=later)

    def test_renewing_keeps_the_job(self, db: Database) -> None:
        put(db, ev("U1", 1))
        held = take(db, lease=SPENT)
        assert held is not None
        with db.write() as s:
            assert jobs.renew(s, [held.id], worker_id="w1", now=T0, lease=LEASE) == 1
        with db.write() as s:
            assert jobs.reap(s, now=T0 + timedelta(seconds=1)) == (0, [])

    def test_an_expired_job_out_of_attempts_is_dead(self, db: Database) -> None:
        put(db, ev("U1", 1), max_attempts=1)
        assert take(db, lease=SPENT) is not None
        with db.write() as s:
            back, buried = jobs.reap(s, now=T0 + timedelta(seconds=1))
        assert back == 0 and [j.payload for j in buried] == [{"n": 1}]
        with db.read() as s:
            dead = jobs.list_jobs(s, state=jobs.DEAD, limit=10)
        assert [j.last_error for j in dead] == [
            "the worker running it stopped answering (lease expired)"
        ]

    def test_release_returns_the_job_without_using_an_attempt(self, db: Database) -> None:
        put(db, ev("U1", 1))
        held = take(db)
        assert held is not None
        with db.write() as s:
            assert jobs.release(s, [held.id], worker_id="w1", now=T0) == 1
        again = take(db)
        assert again is not None and again.attempts == 1


def test_on_postgres_a_worker_with_a_skewed_clock_never_takes_a_held_job(
    postgres_url: str,
) -> None:
    """Leases run on the database's clock there: instances need not agree on the time."""
    db = Database(postgres_url)
    SQLModel.metadata.create_all(db.engine)
    try:
        now = datetime.now(UTC)
        ahead, behind = now + timedelta(hours=1), now - timedelta(hours=1)
        put(db, ev("U1", 1), ev("U2", 2), now=behind)
        first = take(db, "w-true", now=now)
        late = take(db, "w-behind", now=behind)  # its lease must not be over on arrival
        assert first is not None and late is not None
        with db.write() as s:
            assert jobs.reap(s, now=ahead) == (0, [])  # a worker an hour ahead reaps nothing
        assert take(db, "w-ahead", now=ahead) is None
        with db.write() as s:  # a renewal by a worker whose clock is behind keeps the lease
            assert jobs.renew(s, [late.id], worker_id="w-behind", now=behind, lease=LEASE) == 1
            assert jobs.reap(s, now=now) == (0, [])
        assert finish(db, first, "w-true", now=now) and finish(db, late, "w-behind", now=now)
    finally:
        db.dispose()


class TestDeadAndRetry:
    def test_a_retried_job_waits_behind_its_user_s_job_that_runs(self, db: Database) -> None:
        with db.write() as s:
            inbox.store_many(s, [webhook(("U1", 1))], max_attempts=1)
        crashed = take(db, "crashed", lease=SPENT)  # its worker dies holding it
        assert crashed is not None
        with db.write() as s:
            assert jobs.reap(s, now=T0 + timedelta(seconds=1))[1] != []  # out of attempts: dead
        with db.write() as s:
            inbox.store_many(s, [webhook(("U1", 2))])
        second = take(db, "w2")
        assert second is not None and second.payload == {"event_ids": ["U1-2"]}
        with db.write() as s:
            retried = jobs.retry(s, crashed.id, now=T0)
        assert retried is not None
        assert take(db, "w3") is None  # the retried job waits for U1's running one
        with db.read() as s:
            assert [j.id for j in jobs.list_jobs(s, state=jobs.RUNNING, limit=10)] == [second.id]
        assert finish(db, second, "w2")
        again = take(db, "w3")
        assert again is not None and again.payload == {"event_ids": ["U1-1"]}
        assert again.id == retried.id

    def test_dead_jobs_are_listed_and_can_be_retried(self, db: Database) -> None:
        put(db, ev("U1", 1), max_attempts=1)
        held = take(db)
        assert held is not None
        with db.write() as s:
            jobs.fail(s, held, worker_id="w1", now=T0, error="LINE said 500", retry_at=T0)
        with db.write() as s:
            retried = jobs.retry(s, held.id, now=T0)
            assert retried is not None and retried.id != held.id  # a new id: the queue's end
            assert jobs.retry(s, retried.id, now=T0) is None  # only dead jobs can be retried
            assert jobs.get(s, held.id) is None
        again = take(db)
        assert again is not None and again.id == retried.id and again.attempts == 1
        assert again.payload == {"n": 1}


def webhook(*events: tuple[str, int]) -> Delivery:
    """A delivery as the endpoint makes it: one user event per (user, n)."""
    return Delivery([user_event(f"{user}-{n}", user) for user, n in events], T0)


def job_states(db: Database) -> list[str]:
    with db.read() as s:
        return [j.state for j in reversed(jobs.list_jobs(s, state=None, limit=100))]


class TestAdmission:
    def test_webhook_jobs_wait_as_new_and_are_admitted_oldest_first(self, db: Database) -> None:
        with db.write() as s:
            inbox.store_many(s, [webhook(("U1", 1)), webhook(("U2", 2)), webhook(("U1", 3))])
        assert job_states(db) == ["new", "new", "new"]
        with db.write() as s:
            assert jobs.admit(s, now=T0, limit=2) == 2
        assert job_states(db) == ["queued", "queued", "new"]

    def test_a_claim_admits_what_the_webhook_stored(self, db: Database) -> None:
        with db.write() as s:
            inbox.store_many(s, [webhook(("U1", 1), ("U2", 2))])
        first, second = take(db), take(db, "w2")
        assert first is not None and second is not None
        assert first.ordering_key == "user:U1" and second.ordering_key == "user:U2"
        assert take(db, "w3") is None and job_states(db) == ["running", "running"]

    def test_a_new_job_waits_behind_its_user_s_running_one(self, db: Database) -> None:
        with db.write() as s:
            inbox.store_many(s, [webhook(("U1", 1))])
        first = take(db)
        assert first is not None
        with db.write() as s:
            inbox.store_many(s, [webhook(("U1", 2), ("U2", 3))])
        other = take(db, "w2")  # admits both, and only U2's may run
        assert other is not None and other.ordering_key == "user:U2"
        assert take(db, "w3") is None
        assert finish(db, first)
        later = take(db, "w3")
        assert later is not None and later.payload == {"event_ids": ["U1-2"]}

    def test_a_retried_job_waits_behind_its_user_s_jobs_not_yet_admitted(
        self, db: Database
    ) -> None:
        with db.write() as s:
            inbox.store_many(s, [webhook(("U1", 0), ("V", 0))])
        running, other = take(db), take(db, "w2")  # U1's job, and V's, which holds V's burst
        assert running is not None and other is not None
        # A burst from V fills a whole admission batch, and then U1 writes again.
        with db.write() as s:
            burst = [webhook(("V", n)) for n in range(1, jobs.ADMIT_BATCH + 1)]
            inbox.store_many(s, [*burst, webhook(("U1", 1))])
        with db.write() as s:  # U1's last attempt gives one event up: a dead job of its own
            dead = jobs.enqueue_dead(
                s,
                JobSpec(kind=jobs.EVENT, payload='{"event_ids": ["U1-0"]}', ordering_key="user:U1"),
                now=T0,
                error="boom",
                attempts=3,
            )
        assert finish(db, running)
        with db.write() as s:
            assert jobs.retry(s, dead, now=T0) is not None  # an operator retries the dead job
        # Every claim holds on to its job: what is taken here runs at the same time.
        taken = [job for n in range(4) if (job := take(db, f"w{n + 3}")) is not None]
        u1 = [j.payload["event_ids"] for j in taken if j.ordering_key == "user:U1"]
        assert u1 == [["U1-1"]]  # U1's waiting job runs; the retried one (made later) waits

    def test_a_job_retried_earlier_goes_first_even_before_a_follow_up_claimed_by_id(
        self, db: Database
    ) -> None:
        reply = JobSpec(kind=jobs.REPLY, payload="{}", ordering_key="reply:U1")
        with db.write() as s:
            dead = jobs.enqueue_dead(s, reply, now=T0, error="LINE 500", attempts=3)
            retried = jobs.retry(s, dead, now=T0)  # back as new, the older of two
            assert retried is not None
        put(db, replace(reply, dedup_key="r2"))
        with db.read() as s:
            (later,) = [j.id for j in jobs.list_jobs(s, state=jobs.QUEUED, limit=5)]
        assert take(db, job_id=later) is None  # the runner's chained claim waits its turn
        first = take(db)
        assert first is not None and first.id == retried.id


def test_jobs_stored_while_claimers_run_keep_each_user_s_order(db: Database) -> None:
    """Webhooks keep arriving (two producers) while four claimers admit and run their jobs."""
    producers = {"p0": ["A", "B", "C"], "p1": ["D", "E", "F"]}
    rounds = 12
    taken: dict[str, list[int]] = {u: [] for us in producers.values() for u in us}
    running: set[str] = set()
    overlaps: list[str] = []
    lock = threading.Lock()
    produced = threading.Event()

    def produce(users: list[str]) -> None:
        for n in range(rounds):
            with db.write() as s:
                inbox.store_many(s, [webhook(*[(u, n) for u in users])])

    def claim_loop(name: str) -> None:
        while True:
            job = take(db, name)
            if job is None:
                with db.read() as s:
                    counts = jobs.counts(s)
                if produced.is_set() and counts[jobs.NEW] + counts[jobs.QUEUED] == 0:
                    return
                time.sleep(0.001)
                continue
            user, n = job.payload["event_ids"][0].split("-")
            with lock:
                if user in running:
                    overlaps.append(user)
                running.add(user)
                taken[user].append(int(n))
            time.sleep(0.001)
            with lock:
                running.discard(user)
            assert finish(db, job, name)

    makers = [threading.Thread(target=produce, args=(us,)) for us in producers.values()]
    claimers = [threading.Thread(target=claim_loop, args=(f"w{i}",)) for i in range(4)]
    for t in makers + claimers:
        t.start()
    for t in makers:
        t.join(timeout=120)
    produced.set()
    for t in claimers:
        t.join(timeout=120)
    assert overlaps == []
    assert taken == {u: list(range(rounds)) for u in taken}  # every job, once, in order


@pytest.mark.parametrize("claimers", [4])
def test_concurrent_claimers_never_share_a_job(db: Database, claimers: int) -> None:
    users = [f"U{i}" for i in range(5)]
    put(
        db,
        *[
            JobSpec(
                kind=jobs.EVENT,
                payload=f'{{"u": "{u}", "n": {n}}}',
                ordering_key=u,
                dedup_key=f"{u}-{n}",
            )
            for n in range(8)
            for u in users
        ],
    )
    taken: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    running: set[str] = set()
    overlaps: list[str] = []

    def worker(name: str) -> None:
        while True:
            job = take(db, name)
            if job is None:
                with db.read() as s:
                    if jobs.counts(s)[jobs.QUEUED] == 0:
                        return
                continue
            user = job.payload["u"]
            with lock:
                if user in running:
                    overlaps.append(user)
                running.add(user)
                taken.append((user, job.payload["n"], name))
            time.sleep(0.002)  # hold the job a moment, as real work would
            with lock:
                # Still `running` in the database until finish() commits, so no other claimer
                # may hold this user's next job during this window.
                running.discard(user)
            assert finish(db, job, name)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(claimers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(taken) == 40
    assert len({(u, n) for u, n, _ in taken}) == 40  # nobody got a job twice
    assert overlaps == []  # one user's jobs never ran at the same time
    for u in users:  # and they ran in order
        assert [n for uu, n, _ in taken if uu == u] == list(range(8))
