"""The worker's runner: it survives database hiccups, never hands back a job still running,
and records what it gives up on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.services import Services
from app.settings import load_settings
from app.worker.runner import Chore, Worker
from storage import jobs
from storage.blobs import LocalBlobStore
from storage.db import Database
from storage.jobs import JobSpec
from tests.e2e.waiting import wait_until
from webhooks.i18n import load_catalogue


class FlakyDatabase(Database):
    """A real database whose next `fail` write transactions raise, as a locked SQLite would."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.fail = 0
        self._lock = threading.Lock()

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._lock:
            failing = self.fail > 0
            self.fail -= failing
        if failing:
            raise OperationalError("BEGIN", {}, Exception("database is locked"))
        with super().write() as session:
            yield session


@pytest.fixture
def services(database_url: str, tmp_path: Path) -> Iterator[Services]:
    from sqlmodel import SQLModel

    db = FlakyDatabase(database_url)
    SQLModel.metadata.create_all(db.engine)
    settings = load_settings(
        _env_file=None,
        GENBA_DATA_DIR=str(tmp_path),
        GENBA_WORKER_POLL_SECONDS="0.05",
        GENBA_JOB_LEASE_SECONDS="1",
        GENBA_SHUTDOWN_GRACE_SECONDS="0.3",  # the tests pass their own to stop()
        GENBA_WORKER_CONVERSATION_THREADS="1",
        GENBA_WORKER_MEDIA_THREADS="1",
    )
    yield Services(
        settings=settings,
        db=db,
        line=None,
        blobs=LocalBlobStore(tmp_path / "media"),
        catalogue=load_catalogue(),
    )
    db.dispose()


def enqueue(services: Services, n: int, kind: str = jobs.PURGE) -> None:
    with services.db.write() as s:
        jobs.enqueue_many(
            s,
            [JobSpec(kind=kind, payload=f'{{"n": {i}}}', dedup_key=f"t{i}") for i in range(n)],
            now=services.clock(),
            max_attempts=3,
        )


def states(services: Services) -> list[str]:
    with services.db.read() as s:
        return sorted(j.state for j in jobs.list_jobs(s, state=None, limit=100))


def test_a_failing_database_does_not_kill_the_worker_threads(services: Services) -> None:
    done: list[int] = []

    def handler(job, _env):
        done.append(job.payload["n"])
        services.db.fail = 2  # the next two queue updates (completing this job) fail
        return None

    worker = Worker(services, {jobs.PURGE: handler})
    worker.start()
    try:
        enqueue(services, 3)
        wait_until(lambda: states(services) == ["done"] * 3, what="all jobs done")
    finally:
        worker.stop(grace=2)
    assert sorted(done) == [0, 1, 2]  # each ran once: completing was retried, not the job
    assert all(t.is_alive() is False for t in worker._threads)


def test_stop_never_hands_back_a_job_whose_handler_is_still_running(services: Services) -> None:
    started = threading.Event()

    def slow(_job, _env):
        started.set()
        time.sleep(1.5)
        return None

    worker = Worker(services, {jobs.PURGE: slow})
    worker.start()
    enqueue(services, 1)
    assert started.wait(10)
    worker.stop(grace=0.1)
    with services.db.read() as s:
        (job,) = jobs.list_jobs(s, state=None, limit=10)
    assert (job.state, job.locked_by) == ("running", worker.worker_id)


def test_a_job_buried_by_an_expired_lease_gets_its_give_up_step(services: Services) -> None:
    given_up: list[str] = []
    enqueue(services, 1, kind=jobs.MEDIA)
    with services.db.write() as s:
        held = jobs.claim(
            s,
            worker_id="crashed",
            now=services.clock(),
            lease=timedelta(seconds=0),
            kinds=[jobs.MEDIA],
        )
    assert held is not None
    with services.db.write() as s:  # spend its attempts, as repeated crashes would
        s.execute(jobs.T.update().values(attempts=3))
    worker = Worker(
        services,
        {},
        give_up={jobs.MEDIA: lambda job, _env, reason: given_up.append(reason)},
    )
    worker.start()
    try:
        wait_until(lambda: given_up, what="the give-up step")
    finally:
        worker.stop(grace=1)
    assert given_up == [jobs.LEASE_EXPIRED]
    assert states(services) == ["dead"]


def test_the_jobs_a_handler_hands_back_run_next_on_its_thread_in_order(
    services: Services,
) -> None:
    ran: list[tuple[str, int]] = []

    def step(job, _env):
        ran.append(("step", job.payload["n"]))
        with services.db.write() as s:
            return [
                jobs.enqueue(
                    s,
                    JobSpec(kind=jobs.REPLY, payload=f'{{"n": {n}}}', dedup_key=f"r{n}"),
                    now=services.clock(),
                )
                for n in (1, 2)
            ]

    def reply(job, _env):
        ran.append(("reply", job.payload["n"]))

    # Not started: no thread polls the queue, so whatever runs, the chain itself ran.
    worker = Worker(services, {jobs.EVENT: step, jobs.REPLY: reply})
    enqueue(services, 1, kind=jobs.EVENT)
    first = worker._claim(jobs.ALL_KINDS)
    assert first is not None
    worker._run_chain(first)
    assert ran == [("step", 0), ("reply", 1), ("reply", 2)]
    assert states(services) == ["done"] * 3


def test_chores_run_at_start_and_again_and_one_failing_stops_nothing(services: Services) -> None:
    ran: list[str] = []

    def broken() -> None:
        ran.append("broken")
        raise RuntimeError("the database is away")

    worker = Worker(
        services,
        {},
        chores=[
            Chore("broken", broken, every=0.05),
            Chore("fine", lambda: ran.append("fine"), every=3600),
        ],
    )
    worker.start()
    try:
        wait_until(lambda: ran.count("broken") >= 3, what="the failing chore tried again")
    finally:
        worker.stop(grace=2)
    assert ran.count("fine") == 1  # at start; its next turn is an hour away
    assert all(t.is_alive() is False for t in worker._threads)
