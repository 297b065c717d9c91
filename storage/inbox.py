"""The webhook inbox: raw events stored with their jobs in the transaction that precedes the 200."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, update
from sqlmodel import Session

from storage import bulk
from storage.dialect import Executor, insert_ignore, is_postgres
from storage.jobs import EVENT, NEW, JobSpec, enqueue_many, hold_order
from storage.models import WebhookEvent
from storage.states import InboxStatus

T: Table = WebhookEvent.__table__  # type: ignore[attr-defined]


@dataclass(slots=True)  # not frozen: built for every event before the 200, and frozen costs 2x
class InboxEntry:
    """One event as the endpoint classified it; `wants_job` when a worker must handle it."""

    id: str
    payload: str
    status: str
    event_type: str | None = None
    mode: str | None = None
    source_type: str | None = None
    source_id: str | None = None
    redelivery: bool = False
    ordering_key: str | None = None
    note: str | None = None
    wants_job: bool = False


@dataclass(frozen=True)
class Delivery:
    """The events of one webhook request, and when it was received."""

    entries: Sequence[InboxEntry]
    received_at: datetime


def store(
    session: Executor, entries: Sequence[InboxEntry], *, now: datetime, max_attempts: int = 8
) -> list[str]:
    """Insert the entries not seen before, and their jobs; return the new entries' ids."""
    return store_many(session, [Delivery(entries, now)], max_attempts=max_attempts)[0]


def store_many(
    session: Executor, deliveries: Sequence[Delivery], *, max_attempts: int = 8
) -> list[list[str]]:
    """Store several webhook requests in one transaction (group commit); new ids per request.

    Requests are stored in order, so an event repeated in a later request of the same batch is
    a duplicate like any other.
    """
    postgres = is_postgres(session)
    if postgres:  # one user's job ids must commit in order (jobs.hold_order)
        entries = [e for d in deliveries for e in d.entries]
        hold_order(session, [e.ordering_key for e in entries if e.wants_job and e.ordering_key])
    # One INSERT for every event of the group, then one for all their jobs.
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for delivery in deliveries:
        for entry in delivery.entries:
            if entry.id not in seen:
                seen.add(entry.id)
                rows.append(_row(entry, delivery.received_at))
    new_ids: set[str] = set()
    if rows and postgres:
        # executemany of one cached statement (a multi-VALUES insert is compiled anew each time)
        new_ids = set(session.execute(insert_ignore(session, T).returning(T.c.id), rows).scalars())
    elif rows:  # several times cheaper than SQLAlchemy's executemany (storage/bulk.py)
        conn = bulk.connection_of(session)
        new_ids = set(bulk.insert_rows(conn, T, rows, ignore=True, returning="id"))
    results: list[list[str]] = []
    specs: list[JobSpec] = []
    for delivery in deliveries:
        mine: list[str] = []
        # One job per user per request, carrying that user's new events in the body's order:
        # the worker still handles each event on its own, and a five-photo imageSet costs one
        # job row instead of five (job rows are the dearest part of the ack; bench/).
        per_key: dict[str, list[str]] = {}
        for entry in delivery.entries:
            if entry.id not in new_ids:
                continue
            new_ids.discard(entry.id)  # a later request repeating it in this group is a duplicate
            mine.append(entry.id)
            if entry.wants_job and entry.ordering_key:
                per_key.setdefault(entry.ordering_key, []).append(entry.id)
        specs.extend(
            JobSpec(
                kind=EVENT,
                payload=json.dumps({"event_ids": ids}),
                ordering_key=key,
                dedup_key=f"event:{ids[0]}",
                run_at=delivery.received_at,
            )
            for key, ids in per_key.items()
        )
        results.append(mine)
    if specs:
        latest = max(d.received_at for d in deliveries)
        enqueue_many(session, specs, now=latest, max_attempts=max_attempts, state=NEW)
    return results


def event_ids(payload: dict[str, Any]) -> list[str]:
    """The events an event job carries, in order (older jobs carry a single `event_id`)."""
    if "event_ids" in payload:
        return [str(i) for i in payload["event_ids"]]
    return [str(payload["event_id"])]


def reopen(session: Session, ids: Sequence[str]) -> int:
    """Queue again the events a dead job left `failed` (an operator retries the job)."""
    result = session.execute(
        update(T)
        .where(T.c.id.in_(list(ids)) & (T.c.status == InboxStatus.FAILED))
        .values(status=InboxStatus.QUEUED, handled_at=None, note=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _row(entry: InboxEntry, received_at: datetime) -> dict[str, object]:
    return {
        "id": entry.id,
        "received_at": received_at,
        "event_type": entry.event_type,
        "mode": entry.mode,
        "source_type": entry.source_type,
        "source_id": entry.source_id,
        "redelivery": entry.redelivery,
        "status": entry.status,
        "payload": entry.payload,
        "note": entry.note,
    }


def get(session: Session, event_id: str) -> WebhookEvent | None:
    """The stored event, or None."""
    return session.get(WebhookEvent, event_id)


def take(session: Session, event_id: str, *, now: datetime) -> bool:
    """Mark a queued event handled, first thing in the step's transaction; False if it was not.

    The conditional update is the fence: if a job ever runs twice at once (a lease that ran out
    under a slow step), the second run waits on this row and then finds nothing to do.
    """
    result = session.execute(
        update(T)
        .where((T.c.id == event_id) & (T.c.status == InboxStatus.QUEUED))
        .values(status=InboxStatus.HANDLED, handled_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark(
    session: Session,
    event_id: str,
    *,
    status: InboxStatus,
    now: datetime,
    note: str | None = None,
) -> None:
    """Record how a queued event ended (ignored, unparseable, failed); others stay as they are."""
    session.execute(
        update(T)
        .where((T.c.id == event_id) & (T.c.status == InboxStatus.QUEUED))
        .values(status=status, handled_at=now, note=note)
    )
