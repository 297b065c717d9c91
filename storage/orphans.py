"""Stored files no database row keeps: found by listing the store, removed by the sweep.

A media job stores its files first and records them second, so a crash in between (or a job
that gives up, or a draft discarded while its photo was being fetched) can leave files behind.
Every file lives under `media/<media id>/`, so one listing of `media/` finds them all. A file is
kept while a media row refers to it as a stored variant, or while its media item is still
`pending` (a job is fetching it and will record it or purge it). Only files older than a
cut-off are considered, so a write that is just finishing is never taken for an orphan.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Table, select

from storage.blobs import BlobStore, media_id_of
from storage.db import Database
from storage.models import Media, MediaVariant

M: Table = Media.__table__  # type: ignore[attr-defined]
V: Table = MediaVariant.__table__  # type: ignore[attr-defined]

BATCH = 500  # keys per database look-up: well under every backend's parameter limit

log = logging.getLogger("genba.media")


def orphan_batches(
    db: Database, blobs: BlobStore, *, before: datetime, batch_size: int = BATCH
) -> Iterator[list[str]]:
    """Keys under `media/` last written before `before` that no media row keeps, in batches."""
    old = (info.key for info in blobs.listing("media/") if info.modified < before)
    while batch := list(itertools.islice(old, batch_size)):
        ids = {i for i in map(media_id_of, batch) if i is not None}
        with db.read() as session:
            kept = set(
                session.execute(select(V.c.storage_key).where(V.c.storage_key.in_(batch)))
                .scalars()
                .all()
            )
            fetching = set(
                session.execute(select(M.c.id).where(M.c.id.in_(ids) & (M.c.status == "pending")))
                .scalars()
                .all()
            )
        found = [k for k in batch if k not in kept and media_id_of(k) not in fetching]
        if found:
            yield found


def find_orphans(db: Database, blobs: BlobStore, *, before: datetime) -> list[str]:
    """Every orphaned key (see the module's docstring), without removing anything."""
    return [key for batch in orphan_batches(db, blobs, before=before) for key in batch]


def sweep_orphans(
    db: Database, blobs: BlobStore, *, before: datetime, batch_size: int = BATCH
) -> int:
    """Delete the orphaned files; returns how many went."""
    removed = 0
    for batch in orphan_batches(db, blobs, before=before, batch_size=batch_size):
        for key in batch:
            blobs.delete(key)
        removed += len(batch)
    if removed:
        log.warning("removed %d stored files that no media row referred to", removed)
    return removed
