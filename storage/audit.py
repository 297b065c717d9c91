"""The audit log: consent changes, review actions, downloads of originals, withdrawals."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlmodel import Session

from storage.models import AuditEntry

T: Table = AuditEntry.__table__  # type: ignore[attr-defined]


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    """Append one entry."""
    session.execute(
        insert(T).values(
            at=now,
            actor=actor[:120],
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=json.dumps(detail, ensure_ascii=False),
        )
    )


def for_target(session: Session, target_type: str, target_id: str) -> list[AuditEntry]:
    """Entries about one record, oldest first."""
    return list(
        session.execute(
            select(AuditEntry)
            .where((T.c.target_type == target_type) & (T.c.target_id == target_id))
            .order_by(T.c.id)
        ).scalars()
    )


def latest_target(session: Session, target_type: str, actions: tuple[str, ...]) -> str | None:
    """The greatest target id of these actions (a 'YYYY-MM' month sorts as text), or None."""
    found = session.execute(
        select(func.max(T.c.target_id)).where(
            (T.c.target_type == target_type) & T.c.action.in_(actions)
        )
    ).scalar_one()
    return None if found is None else str(found)
