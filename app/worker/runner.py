"""The worker: threads that claim jobs, run their handlers, and renew their leases.

Conversation threads take only conversation jobs (events and replies), so a large download never
delays a reply; media threads take everything, conversation first. A heartbeat thread renews
the leases of running jobs and returns the jobs of vanished workers to the queue. `stop()`
lets running jobs finish within a grace period; a job still running after it keeps its lease
and returns to the queue when the lease runs out (handing it back while its handler still runs
would let another worker run it at the same time).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from sqlmodel import Session
from ulid import ULID

from app.services import Services
from app.worker.base import JobEnv, RetryLater
from storage import jobs
from storage.jobs import ClaimedJob

log = logging.getLogger("genba.worker")

# A handler may hand back jobs to run next on the same thread, in order (a step's replies).
Handler = Callable[[ClaimedJob, JobEnv], Sequence[int] | None]
GiveUp = Callable[[ClaimedJob, JobEnv, str], None]
T = TypeVar("T")

# A conversation job that keeps failing holds back that worker's later messages (their order
# matters), and its reply token is gone after a minute: retry it briefly, not for minutes.
CONVERSATION_BACKOFF_CAP = 15.0
BOOKKEEPING_TRIES = 4


def backoff_seconds(attempts: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: about base·2^(n-1), between half and all of it."""
    ceiling = min(cap, base * (2 ** max(0, attempts - 1)))
    return float(ceiling * (0.5 + rng.random() / 2))


@dataclass(frozen=True)
class Chore:
    """Something the worker does by itself: at start, then every `every` seconds."""

    name: str
    run: Callable[[], object]
    every: float


class Worker:
    """Runs jobs from the queue, and its chores, until stopped."""

    def __init__(
        self,
        services: Services,
        handlers: Mapping[str, Handler],
        *,
        give_up: Mapping[str, GiveUp] | None = None,
        name: str | None = None,
        on_start: Callable[[], object] | None = None,
        chores: Sequence[Chore] = (),
    ) -> None:
        self.services = services
        self.handlers = dict(handlers)
        self.give_up = dict(give_up or {})
        self.on_start = on_start
        self.chores = tuple(chores)
        self.worker_id = name or f"w-{ULID()}"
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._held: dict[int, str] = {}
        self._held_lock = threading.Lock()
        self._rng = random.Random()  # noqa: S311  (jitter, not secrets)
        self.env = JobEnv(services=services, worker_id=self.worker_id, should_stop=self.stopping)

    # ---- lifecycle -------------------------------------------------------------------------

    def stopping(self) -> bool:
        """True once stop() was called."""
        return self._stopping.is_set()

    def start(self) -> None:
        """Start the claiming threads and the heartbeat."""
        if self.on_start is not None:
            try:
                self.on_start()
            except Exception:
                log.exception("housekeeping at start failed")
        s = self.services.settings
        plan = [("conv", jobs.CONVERSATION_KINDS)] * s.worker_conversation_threads + [
            ("media", jobs.ALL_KINDS)
        ] * s.worker_media_threads
        for i, (lane, kinds) in enumerate(plan):
            t = threading.Thread(
                target=self._loop, args=(kinds,), name=f"genba-{lane}-{i}", daemon=True
            )
            t.start()
            self._threads.append(t)
        hb = threading.Thread(target=self._heartbeat, name="genba-heartbeat", daemon=True)
        hb.start()
        self._threads.append(hb)
        if self.chores:
            ch = threading.Thread(target=self._chore_loop, name="genba-chores", daemon=True)
            ch.start()
            self._threads.append(ch)
        log.info("worker %s started with %d threads", self.worker_id, len(plan))

    def stop(self, grace: float | None = None) -> None:
        """Stop claiming and let running jobs finish (or hand themselves back) within `grace`."""
        grace = self.services.settings.shutdown_grace_seconds if grace is None else grace
        self._stopping.set()
        self.services.doorbell.ring()
        deadline = time.monotonic() + grace
        for t in self._threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        with self._held_lock:
            left = sorted(self._held)
        if left:
            log.warning(
                "worker %s stopped with jobs %s still running: they return to the queue when "
                "their lease runs out",
                self.worker_id,
                left,
            )
        log.info("worker %s stopped", self.worker_id)

    # ---- claiming and running --------------------------------------------------------------

    def _loop(self, kinds: tuple[str, ...]) -> None:
        seen = self.services.doorbell.rings
        poll = self.services.settings.worker_poll_seconds
        while not self._stopping.is_set():
            try:
                job = self._claim(kinds)
                if job is None:
                    seen = self.services.doorbell.wait(poll, seen)
                    continue
                self._run_chain(job)
            except Exception:  # the database may be away for a while: never let a thread die
                log.exception("the worker loop failed; trying again shortly")
                self._stopping.wait(poll * 4)

    def _claim(self, kinds: tuple[str, ...], job_id: int | None = None) -> ClaimedJob | None:
        s = self.services.settings
        with self.services.db.write() as session:
            job = jobs.claim(
                session,
                worker_id=self.worker_id,
                now=self.services.clock(),
                lease=timedelta(seconds=s.job_lease_seconds),
                kinds=kinds,
                job_id=job_id,
            )
        if job is not None:
            with self._held_lock:
                self._held[job.id] = job.kind
        return job

    def _run_chain(self, job: ClaimedJob) -> None:
        # A conversation step hands back its reply jobs: run them at once on this thread, so a
        # reply leaves right after the commit instead of waiting for the next claim round.
        waiting: list[int] = []
        current: ClaimedJob | None = job
        while current is not None:
            waiting.extend(self._run(current))
            current = None
            while waiting and current is None and not self._stopping.is_set():
                current = self._claim(jobs.ALL_KINDS, job_id=waiting.pop(0))

    def _run(self, job: ClaimedJob) -> Sequence[int]:
        handler = self.handlers.get(job.kind)
        follow_ups: Sequence[int] | None = None
        try:
            try:
                if handler is None:
                    raise RuntimeError(f"no handler for job kind {job.kind!r}")
                follow_ups = handler(job, self.env)
            except RetryLater as exc:
                self._failed(job, exc.reason, exc.delay)
            except Exception as exc:
                log.exception("job %s (%s) failed", job.id, job.kind)
                self._failed(job, f"{type(exc).__name__}: {exc}", None)
            else:
                done = self._bookkeeping(
                    lambda s: jobs.complete(
                        s, job.id, worker_id=self.worker_id, now=self.services.clock()
                    )
                )
                if not done:
                    log.warning("job %s finished after its lease ran out", job.id)
        finally:
            with self._held_lock:
                self._held.pop(job.id, None)
        return follow_ups or ()

    def _bookkeeping(self, write: Callable[[Session], T]) -> T:
        """Run a queue update, trying again a few times: a lost update means a job runs twice."""
        for attempt in range(BOOKKEEPING_TRIES):
            try:
                with self.services.db.write() as session:
                    return write(session)
            except Exception:
                if attempt == BOOKKEEPING_TRIES - 1:
                    raise
                log.warning("updating the job queue failed; trying again", exc_info=True)
                time.sleep(0.25 * 2**attempt)
        raise AssertionError("unreachable")

    def _failed(self, job: ClaimedJob, reason: str, delay: float | None) -> None:
        s = self.services.settings
        now = self.services.clock()
        if self._stopping.is_set():
            # Cut short by the shutdown: hand it back without counting the attempt.
            self._bookkeeping(
                lambda session: jobs.release(session, [job.id], worker_id=self.worker_id, now=now)
            )
            log.info("job %s (%s) handed back at shutdown", job.id, job.kind)
            return
        cap = s.job_backoff_max_seconds
        if job.kind in jobs.CONVERSATION_KINDS:
            cap = min(cap, CONVERSATION_BACKOFF_CAP)
        wait = delay
        if wait is None:
            wait = backoff_seconds(
                job.attempts, base=s.job_backoff_base_seconds, cap=cap, rng=self._rng
            )
        state = self._bookkeeping(
            lambda session: jobs.fail(
                session,
                job,
                worker_id=self.worker_id,
                now=now,
                error=reason,
                retry_at=now + timedelta(seconds=wait),
            )
        )
        if state == jobs.DEAD:
            log.error(
                "job %s (%s) is dead after %d attempts: %s", job.id, job.kind, job.attempts, reason
            )
            self._give_up(job, reason)
        else:
            log.warning("job %s (%s) will retry in %.1fs: %s", job.id, job.kind, wait, reason)

    def _give_up(self, job: ClaimedJob, reason: str) -> None:
        hook = self.give_up.get(job.kind)
        if hook is None:
            return
        try:
            hook(job, self.env, reason)
        except Exception:
            log.exception("recording the failure of job %s failed", job.id)

    # ---- chores ------------------------------------------------------------------------------

    def run_chores(self, due: Callable[[Chore], bool] = lambda _chore: True) -> None:
        """Run the chores `due` picks (all by default), each on its own: one failing is logged."""
        for chore in self.chores:
            if self._stopping.is_set() or not due(chore):
                continue
            try:
                chore.run()
            except Exception:  # the database may be away for a while: the next turn tries again
                log.exception("the chore %r failed", chore.name)

    def _chore_loop(self) -> None:
        # Monotonic times: the chores' own clock (services.clock) decides what is due.
        next_at = {c.name: 0.0 for c in self.chores}

        def due(chore: Chore) -> bool:
            if time.monotonic() < next_at[chore.name]:
                return False
            next_at[chore.name] = time.monotonic() + chore.every
            return True

        while not self._stopping.is_set():
            self.run_chores(due)
            self._stopping.wait(max(0.0, min(next_at.values()) - time.monotonic()))

    # ---- leases ------------------------------------------------------------------------------

    def _heartbeat(self) -> None:
        settings = self.services.settings
        lease = settings.job_lease_seconds
        while not self._stopping.wait(settings.heartbeat_seconds):
            try:
                with self._held_lock:
                    held = list(self._held)
                now = self.services.clock()
                with self.services.db.write() as session:
                    jobs.renew(
                        session,
                        held,
                        worker_id=self.worker_id,
                        now=now,
                        lease=timedelta(seconds=lease),
                    )
                    returned, buried = jobs.reap(session, now=now)
                if returned:
                    self.services.doorbell.ring()
                for job in buried:
                    self._give_up(job, jobs.LEASE_EXPIRED)
            except Exception:
                log.exception("renewing leases failed")
