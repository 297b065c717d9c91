"""The retention purge: rejected items and stale drafts older than N days go for good.

"Older" counts from the last change: a rejection's date, a draft's last touch. A draft's
conversation, if it still points at the draft, starts afresh (the worker has been silent for
N days). A push about a purged item (its rejection reason, a media notice) goes if unsent; sent,
it stays bare like an erased worker's (storage/pushes.py `forget`: kind, cost and time only), so
the month's push budget stays true. One `retention_purge` audit entry records the cut-off and the
counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, select, update
from sqlmodel import Session

from flows.types import Conversation, SubmissionStatus
from storage import audit, conversations, removal
from storage.batches import chunks
from storage.blobs import BlobStore
from storage.db import Database
from storage.models import Conversation as ConversationRow
from storage.models import Submission

S: Table = Submission.__table__  # type: ignore[attr-defined]
CV: Table = ConversationRow.__table__  # type: ignore[attr-defined]

ACTION = "retention_purge"
MAX_DAYS = 3650


@dataclass(frozen=True)
class Purge:
    """What a retention purge removed (or, in a dry run, would remove)."""

    days: int
    cutoff: datetime
    rejected: int = 0
    drafts: int = 0
    media: int = 0
    files: int = 0
    dry_run: bool = False


def _expired(session: Session, status: SubmissionStatus, cutoff: datetime) -> list[str]:
    query = select(S.c.id).where((S.c.status == status) & (S.c.updated_at < cutoff))
    return [str(i) for i in session.execute(query).scalars()]


def _forget_drafts(session: Session, draft_ids: set[str], owners: set[str], now: datetime) -> None:
    for part in chunks(sorted(owners)):
        rows = session.execute(
            select(CV.c.contributor_id, CV.c.state).where(CV.c.contributor_id.in_(part))
        ).all()
        for owner, state in rows:
            try:
                draft = conversations.decode(state).draft
            except ValueError:
                continue
            if draft is not None and draft.id in draft_ids:
                session.execute(
                    update(CV)
                    .where(CV.c.contributor_id == owner)
                    .values(
                        step=Conversation().step.value,
                        state=conversations.encode(Conversation()),
                        version=CV.c.version + 1,
                        updated_at=now,
                    )
                )


def purge_expired(
    db: Database,
    blobs: BlobStore,
    *,
    days: int,
    now: datetime,
    actor: str,
    dry_run: bool = False,
) -> Purge:
    """Delete rejected submissions and drafts unchanged for `days` days, with their files."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    cutoff = now - timedelta(days=days)
    key = f"retention:{now.isoformat()}"
    with db.write() as session:
        rejected = _expired(session, SubmissionStatus.REJECTED, cutoff)
        stale = _expired(session, SubmissionStatus.DRAFT, cutoff)
        everything = rejected + stale
        if dry_run or not everything:
            media = len(removal.media_of(session, everything))
            return Purge(days, cutoff, len(rejected), len(stale), media, dry_run=dry_run)
        owners = {
            str(o)
            for part in chunks(stale)
            for o in session.execute(select(S.c.contributor_id).where(S.c.id.in_(part))).scalars()
        }
        media_ids = removal.remove_submissions(session, everything, now=now, purge_key=key)
        _forget_drafts(session, set(stale), owners, now)
        audit.record(
            session,
            actor=actor,
            action=ACTION,
            target_type="retention",
            target_id=f"{days}d",
            detail={
                "cutoff": cutoff.isoformat(),
                "rejected": len(rejected),
                "drafts": len(stale),
                "media": len(media_ids),
            },
            now=now,
        )
    files = removal.purge_files(db, blobs, media_ids, key)
    return Purge(days, cutoff, len(rejected), len(stale), len(media_ids), files)
