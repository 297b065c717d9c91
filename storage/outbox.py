"""The reply outbox: replies committed with the step that decided them, sent once afterwards."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Table, update
from sqlmodel import Session

from storage.dialect import insert_ignore
from storage.models import ReplyOutbox

T: Table = ReplyOutbox.__table__  # type: ignore[attr-defined]

PENDING, SENT, EXPIRED, DROPPED, FAILED = "pending", "sent", "expired", "dropped", "failed"


def add(
    session: Session,
    *,
    event_id: str,
    reply_token: str,
    messages: list[dict[str, Any]],
    expires_at: datetime,
    now: datetime,
) -> int | None:
    """Queue the replies to one event; returns the outbox id (None if one exists already)."""
    row = session.execute(
        insert_ignore(session, T)
        .values(
            event_id=event_id,
            reply_token=reply_token,
            messages=json.dumps(messages, ensure_ascii=False),
            state=PENDING,
            expires_at=expires_at,
            created_at=now,
        )
        .returning(T.c.id)
    ).first()
    return None if row is None else int(row[0])


def get(session: Session, outbox_id: int) -> ReplyOutbox | None:
    """The outbox row, or None."""
    return session.get(ReplyOutbox, outbox_id)


def finish(
    session: Session, outbox_id: int, *, state: str, now: datetime, error: str | None = None
) -> None:
    """Record how sending ended (sent, expired, dropped or failed)."""
    session.execute(
        update(T)
        .where((T.c.id == outbox_id) & (T.c.state == PENDING))
        .values(state=state, sent_at=now if state == SENT else None, error=error and error[:500])
    )
