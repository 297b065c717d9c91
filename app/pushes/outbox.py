"""`queue_push`: the one way to send a worker a push; call it inside your own write transaction.

The row and its job commit with whatever decided the push, so a push is never lost and never
decided twice (a `dedup_key` makes queueing idempotent). The worker sends it under the row's
X-Line-Retry-Key, after the quiet hours and within the monthly budget (app/worker/pushes.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.pushes.policy import PushPolicy
from storage import jobs, pushes


def queue_push(
    session: Session,
    *,
    kind: str,
    recipients: Sequence[str],
    messages: list[dict[str, Any]],
    policy: PushPolicy,
    now: datetime,
    at: datetime | None = None,
    dedup_key: str | None = None,
) -> int | None:
    """Queue a push to contributor ids (1..500) at `at` or now, after quiet hours.

    `kind` says which of the worker's notice choices it needs (storage.pushes.NOTICES_FOR:
    feedback, reminder, digest; another kind goes to anyone who did not choose "none").
    Returns the outbox id, or None when `dedup_key` was queued before.
    """
    not_before = policy.next_allowed(max(at or now, now))
    push_id = pushes.add(
        session,
        kind=kind,
        recipients=recipients,
        messages=messages,
        not_before=not_before,
        now=now,
        dedup_key=dedup_key,
    )
    if push_id is not None:
        jobs.enqueue(session, push_job(push_id, not_before), now=now)
    return push_id


def push_job(push_id: int, run_at: datetime, *, turn: int = 0) -> jobs.JobSpec:
    """The job that sends outbox row `push_id` at `run_at` (turn > 0: a later look)."""
    return jobs.JobSpec(
        kind=jobs.PUSH,
        payload=json.dumps({"push_id": push_id, "turn": turn}),
        dedup_key=f"push:{push_id}:{turn}",
        run_at=run_at,
    )
