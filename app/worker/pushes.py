"""Push jobs: send one push outbox row under its X-Line-Retry-Key, within budget, never twice.

The key is on the first attempt and on every retry (same key, same body), so a push LINE took
while its answer was lost is not delivered again: LINE answers 409, which counts as sent. Only
5xx, 429 and timeouts are retried. Before sending, the row's recipients are looked up again:
a worker who unfollowed or turned the notices off since it was queued is left out.

Over the monthly budget the row waits (nothing is dropped): its job looks again after
`push_budget_recheck_seconds` (a raised budget) and at the start of the next month at the
latest. Two workers deciding at the same instant may both fit under the budget and overshoot it
by one push; LINE's own quota stays the hard limit (it answers 429, which is retried).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from app.pushes.outbox import push_job
from app.pushes.policy import PushPolicy
from app.worker.base import JobEnv, RetryLater
from storage import jobs, pushes
from storage.jobs import ClaimedJob
from webhooks.line_api import LineApiError

log = logging.getLogger("genba.push")


def handle_push(job: ClaimedJob, env: JobEnv) -> None:
    """Send one outbox row, or put it off (quiet hours, budget)."""
    services = env.services
    policy = PushPolicy.from_settings(services.settings)
    push_id = int(job.payload["push_id"])
    turn = int(job.payload.get("turn", 0))
    now = services.clock()
    with services.db.read() as session:
        row = pushes.get(session, push_id)
        if row is None or row.state != pushes.PENDING:
            return None
        recipients = pushes.recipients_of(session, row)
        used = pushes.used_since(session, policy.month_start(now))
        messages = json.loads(row.messages)
        retry_key = row.retry_key
        not_before = row.not_before
    if not recipients:
        _finish(env, push_id, pushes.SKIPPED, 0, "nobody left who wants it")
        return None
    wake = max(not_before, policy.next_allowed(now))
    if wake > now:
        _put_off(env, push_id, wake, turn, waiting=False)
        return None
    cost = len(recipients)
    if policy.budget and used + cost > policy.budget:
        wake = min(now + policy.recheck, policy.next_month_start(now))
        _put_off(env, push_id, wake, turn, waiting=True)
        log.info(
            "push %s waits: %d of %d messages used this month, it needs %d",
            push_id,
            used,
            policy.budget,
            cost,
        )
        return None
    assert services.line is not None, "the worker needs a LINE client"
    try:
        fresh = services.line.push([r.line_user_id for r in recipients], messages, retry_key)
    except LineApiError as exc:
        with services.db.write() as session:
            pushes.tried(session, push_id, waiting=False, error=str(exc))
        if exc.retryable:
            raise RetryLater(str(exc)) from None
        _finish(env, push_id, pushes.FAILED, 0, exc.message)
        log.error("push %s refused by LINE: %s", push_id, exc)
        return None
    if not fresh:
        log.info("push %s: LINE had its retry key already (409): sent before", push_id)
    _finish(env, push_id, pushes.SENT, cost, None)
    return None


def _put_off(env: JobEnv, push_id: int, wake: datetime, turn: int, *, waiting: bool) -> None:
    now = env.services.clock()
    with env.services.db.write() as session:
        if waiting:
            pushes.tried(session, push_id, waiting=True)
        jobs.enqueue(session, push_job(push_id, wake, turn=turn + 1), now=now)


def _finish(env: JobEnv, push_id: int, state: str, cost: int, error: str | None) -> None:
    with env.services.db.write() as session:
        pushes.finish(
            session, push_id, state=state, now=env.services.clock(), cost=cost, error=error
        )


def give_up_push(job: ClaimedJob, env: JobEnv, reason: str) -> None:
    """After the last attempt, record that the push was never sent."""
    _finish(env, int(job.payload["push_id"]), pushes.FAILED, 0, reason)
