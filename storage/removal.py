"""Removing submissions for good: rows, variants, every table that points at them, the files.

Used by the deletion of a worker's data (storage/erasure.py) and by the retention purge
(storage/retention.py). The rows go in the caller's transaction together with a purge job for
the files, so the files go even if the process stops right after the commit; `purge_files`
then removes them at once as well (the job finds nothing left: deleting is idempotent).
Audit entries about the removed records are kept, their details (which can hold free text
such as review notes) replaced by a marker; pushes about them go if unsent and stay bare if
sent (storage/pushes.py `forget_items`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Table, delete, select, update
from sqlmodel import Session, SQLModel

from storage import jobs, pushes
from storage.batches import chunks
from storage.blobs import BlobStore, BlobStoreError, media_prefix
from storage.db import Database
from storage.models import AuditEntry, Job, Media, MediaVariant, Submission

S: Table = Submission.__table__  # type: ignore[attr-defined]
M: Table = Media.__table__  # type: ignore[attr-defined]
V: Table = MediaVariant.__table__  # type: ignore[attr-defined]
A: Table = AuditEntry.__table__  # type: ignore[attr-defined]
J: Table = Job.__table__  # type: ignore[attr-defined]

REDACTED = json.dumps({"redacted": True})

log = logging.getLogger("genba.privacy")


def referring_columns(target: Column[str], *, skip: Sequence[Table] = ()) -> list[Column[str]]:
    """Every column of every table whose foreign key points at `target` (others' tables too)."""
    found: list[Column[str]] = []
    for table in SQLModel.metadata.sorted_tables:
        if table in skip:
            continue
        for column in table.columns:
            if any(fk.column is target for fk in column.foreign_keys):
                found.append(column)
    return found


def media_of(session: Session, submission_ids: Sequence[str]) -> list[str]:
    """The ids of every media row of these submissions, whatever its status."""
    found: list[str] = []
    for part in chunks(submission_ids):
        found += [
            str(i)
            for i in session.execute(select(M.c.id).where(M.c.submission_id.in_(part))).scalars()
        ]
    return found


def notice_keys(session: Session, media_ids: Sequence[str]) -> list[str]:
    """The outbox keys of the notices about these media items' failures."""
    found: list[str] = []
    for part in chunks(media_ids):
        query = select(M.c.notice_key).where(M.c.id.in_(part) & M.c.notice_key.is_not(None))
        found += [str(k) for k in session.execute(query).scalars()]
    return found


def redact_audit(session: Session, target_type: str, target_ids: Sequence[str]) -> int:
    """Replace the details of the audit entries about these records; returns how many."""
    changed = 0
    for part in chunks(target_ids):
        result = session.execute(
            update(A)
            .where((A.c.target_type == target_type) & A.c.target_id.in_(part))
            .values(detail=REDACTED)
        )
        changed += int(result.rowcount)  # type: ignore[attr-defined]
    return changed


def remove_submissions(
    session: Session, submission_ids: Sequence[str], *, now: datetime, purge_key: str
) -> list[str]:
    """Delete these submissions and all that hangs off them; returns the media ids purged."""
    media_ids = media_of(session, submission_ids)
    # The pushes about them hold their codes, PR's notes and their senders' ids.
    pushes.forget_items(session, submission_ids, notice_keys(session, media_ids))
    redact_audit(session, "submission", submission_ids)
    redact_audit(session, "media", media_ids)
    for part in chunks(media_ids):
        for column in referring_columns(M.c.id, skip=(V,)):
            session.execute(delete(column.table).where(column.in_(part)))
        session.execute(delete(V).where(V.c.media_id.in_(part)))
        session.execute(delete(M).where(M.c.id.in_(part)))
    for part in chunks(submission_ids):
        for column in referring_columns(S.c.id, skip=(M,)):
            session.execute(delete(column.table).where(column.in_(part)))
        session.execute(delete(S).where(S.c.id.in_(part)))
    if media_ids:
        jobs.enqueue(
            session,
            jobs.JobSpec(
                kind=jobs.PURGE,
                payload=json.dumps({"media_ids": media_ids}),
                dedup_key=purge_key[:120],
            ),
            now=now,
        )
    return media_ids


def purge_files(db: Database, blobs: BlobStore, media_ids: Sequence[str], purge_key: str) -> int:
    """Delete every stored file of these media items now; returns how many went.

    When all went, the purge job committed with the rows is dropped too (it would find
    nothing); when the store cannot be reached, the job stays and deletes them later.
    """
    removed = 0
    for media_id in media_ids:
        try:
            removed += blobs.delete_prefix(media_prefix(media_id))
        except BlobStoreError:
            log.warning("the media store is unreachable: the purge job will delete the files")
            return removed
    with db.write() as session:
        session.execute(
            delete(J).where((J.c.dedup_key == purge_key[:120]) & (J.c.state != jobs.RUNNING))
        )
    return removed
