"""The monthly "what we posted last month" digest, sent by itself on GENBA_DIGEST_DAY.

The worker looks at start and every CHECK_EVERY seconds (app/worker/kinds.py). From the day to
seven days after it (company time) last month's digest is due unless it was queued (by PR or by
this schedule) or found to have nothing published: a server down on the 1st still sends it on the
2nd, never weeks later. While no worker has chosen all notices, nothing is recorded: a look after
one does sends it, within the same window. It is queued through the same service the reminders
page uses, so quiet hours, the budget and the notice choices apply alike; the outbox's unique key
per month and language keeps two workers looking at once from sending it twice.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from app.pushes import campaigns
from app.pushes.policy import PushPolicy
from app.pushes.shared_media import MediaLinks
from storage import audit
from storage.db import Database
from webhooks.i18n import Catalogue

ACTOR = "monthly schedule"
SKIPPED = "digest_skipped"
WINDOW = timedelta(days=7)  # after the day, how late a digest may still go
CHECK_EVERY = 600.0  # seconds between the worker's looks

log = logging.getLogger("genba.push")


def _before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _after(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_due(now: datetime, day: int, last: str | None) -> str | None:
    """The month ('YYYY-MM') whose digest is due at company-local `now`, or None.

    Due from `day` of the following month to 7 days after it (both included), unless `last`
    (the latest month whose digest was queued or skipped) is that month or later; 0: never.
    """
    if day == 0:
        return None
    today = now.date()
    year, month = today.year, today.month
    # This month's window, then last month's (a day late in the month runs into this one).
    for _ in range(2):
        start = date(year, month, day)
        if start <= today <= start + WINDOW:
            due = "{:04d}-{:02d}".format(*_before(year, month))
            return due if last is None or last < due else None
        year, month = _before(year, month)
    return None


def next_digest(now: datetime, day: int, last: str | None) -> tuple[date, str] | None:
    """When (a company-local day) the next automatic digest goes, and for which month; None: off.

    Today when one is due now; the worker then queues it within CHECK_EVERY seconds.
    """
    if day == 0:
        return None
    due = month_due(now, day, last)
    if due is not None:
        return now.date(), due
    year, month = now.year, now.month
    while True:  # at most three turns: this month's day may be past, the next one done
        start = date(year, month, day)
        covers = "{:04d}-{:02d}".format(*_before(year, month))
        if start > now.date() and (last is None or last < covers):
            return start, covers
        year, month = _after(year, month)


def last_digest(db: Database) -> str | None:
    """The latest month whose digest was queued (by anyone) or skipped: nothing was published."""
    with db.read() as session:
        return audit.latest_target(session, "campaign", ("digest", SKIPPED))


def first_moment(policy: PushPolicy, day: date) -> datetime:
    """The first instant of `day` (company time) a push may go, after any quiet hours (UTC)."""
    return policy.next_allowed(datetime.combine(day, time(0), tzinfo=policy.zone))


def queue_monthly_digest(
    db: Database,
    *,
    catalogue: Catalogue,
    policy: PushPolicy,
    links: MediaLinks | None,
    now: datetime,
) -> str | None:
    """Queue last month's digest when it is due; returns the month queued, or None."""
    month = month_due(now.astimezone(policy.zone), policy.digest_day, last_digest(db))
    if month is None:
        return None
    try:
        done = campaigns.schedule_digest(
            db,
            catalogue=catalogue,
            policy=policy,
            month=month,
            actor=ACTOR,
            now=now,
            links=links,
        )
    except campaigns.AlreadyScheduled:
        return None  # another worker queued it a moment ago
    except campaigns.NobodyToTell:
        # Not recorded: a worker who chooses all notices within the window still gets it.
        log.debug("the digest of %s waits for a worker who wants it", month)
        return None
    except campaigns.NothingPublished as exc:
        _skip(db, month, str(exc), now)
        return None
    log.info(
        "the digest of %s is queued for %d workers, from %s", month, done.count, done.not_before
    )
    return month


def _skip(db: Database, month: str, reason: str, now: datetime) -> None:
    # Recorded once, so the schedule stops looking at this month and the audit log says why.
    with db.write() as session:
        seen = audit.for_target(session, "campaign", month)
        if any(e.action in ("digest", SKIPPED) for e in seen):
            return
        audit.record(
            session,
            actor=ACTOR,
            action=SKIPPED,
            target_type="campaign",
            target_id=month,
            detail={"reason": reason},
            now=now,
        )
    log.info("no digest of %s: %s", month, reason)
