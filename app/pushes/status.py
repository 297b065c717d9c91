"""The push budget as the dashboard shows it: used this month, the budget, what waits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
