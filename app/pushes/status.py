"""What the dashboard shows of pushes: the month's budget, the latest campaigns and how they
ended, and when the next automatic digest goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.pushes import monthly
from app.pushes.policy import PushPolicy
from storage import pushes
from storage.db import Database


@dataclass(frozen=True)
class Budget:
    """This month's pushes: messages used (per recipient), the budget (0: none), rows by state."""

    month: str
    used: int
    budget: int
    waiting: int
    pending: int
    failed: int


def budget(db: Database, policy: PushPolicy, *, now: datetime) -> Budget:
    """The dashboard's push numbers."""
    with db.read() as session:
        used = pushes.used_since(session, policy.month_start(now))
        counts = pushes.counts(session)
    return Budget(
        month=policy.month_of(now),
        used=used,
        budget=policy.budget,
        waiting=counts["waiting"],
        pending=counts[pushes.PENDING],
        failed=counts[pushes.FAILED],
    )


@dataclass(frozen=True)
class NextDigest:
    """The next automatic digest: for which month, on which company day, from when (UTC)."""

    month: str
    day: date
    not_before: datetime
    due_now: bool


def next_digest(db: Database, policy: PushPolicy, *, now: datetime) -> NextDigest | None:
    """When the digest goes by itself next (GENBA_DIGEST_DAY), or None when that is off."""
    found = monthly.next_digest(
        now.astimezone(policy.zone), policy.digest_day, monthly.last_digest(db)
    )
    if found is None:
        return None
    day, month = found
    start = monthly.first_moment(policy, day)
    return NextDigest(month=month, day=day, not_before=start, due_now=start <= now)


def recent_campaigns(db: Database, *, limit: int = 10) -> list[dict[str, Any]]:
    """The latest reminders and digests and how they ended (failed: with LINE's reason)."""
    with db.read() as session:
        found = pushes.campaigns(session, limit=limit)
    return [
        {
            "kind": c.kind,
            "key": c.key,
            "outcome": c.outcome,
            "error": c.error,
            "queued_at": c.queued_at,
            "not_before": c.not_before,
            "rows": c.states,
        }
        for c in found
    ]
