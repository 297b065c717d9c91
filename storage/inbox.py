"""The webhook inbox: raw events stored with their jobs in the transaction that precedes the 200."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text, update
from sqlmodel import Session

from storage.dialect import insert_ignore, is_postgres
from storage.jobs import EVENT, JobSpec, enqueue_many
from storage.models import WebhookEvent


@dataclass(frozen=True)
class InboxEntry:
    """One event as the endpoint classified it; `job` is None for events nobody handles."""

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


def store(
    session: Session, entries: Sequence[InboxEntry], *, now: datetime, max_attempts: int = 8
) -> list[str]:
    """Insert the entries not seen before and a job for each that wants one; return their ids."""
    if not entries:
        return []
    rows = [
        {
            "id": e.id,
            "received_at": now,
            "event_type": e.event_type,
            "mode": e.mode,
            "source_type": e.source_type,
            "source_id": e.source_id,
            "redelivery": e.redelivery,
            "status": e.status,
            "payload": e.payload,
            "note": e.note,
        }
        for e in entries
    ]
    stmt = insert_ignore(session, WebhookEvent).values(rows).returning(WebhookEvent.id)
    new_ids = set(session.execute(stmt).scalars())
    specs = [
        JobSpec(
            kind=EVENT,
            payload=json.dumps({"event_id": e.id}),
            ordering_key=e.ordering_key,
            dedup_key=f"event:{e.id}",
        )
        for e in entries
        if e.wants_job and e.id in new_ids
    ]
    if specs and is_postgres(session):
        # Job ids come from a sequence at insert time, but commits can land in another order.
        # Holding a per-user lock until commit makes one user's job ids follow commit order,
        # so a claimer never sees a later job of a user before an earlier one.
        for key in sorted({s.ordering_key for s in specs if s.ordering_key}):
            session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
    enqueue_many(session, specs, now=now, max_attempts=max_attempts)
    return [e.id for e in entries if e.id in new_ids]


def get(session: Session, event_id: str) -> WebhookEvent | None:
    """The stored event, or None."""
    return session.get(WebhookEvent, event_id)


def mark(
    session: Session, event_id: str, *, status: str, now: datetime, note: str | None = None
) -> None:
    """Record how the event was handled."""
    session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id)  # type: ignore[arg-type]
        .values(status=status, handled_at=now, note=note)
    )


def count(session: Session) -> int:
    """Number of stored events (for tests and metrics)."""
    return int(session.execute(select(func.count()).select_from(WebhookEvent)).scalar_one())
