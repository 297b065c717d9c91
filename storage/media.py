"""Media rows and their stored variants, as the media job and the admin API see them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, delete, select, update
from sqlmodel import Session

from storage.models import Media, MediaVariant
from storage.states import MediaStatus

M: Table = Media.__table__  # type: ignore[attr-defined]
V: Table = MediaVariant.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StoredVariant:
    """A file written to the blob store for one variant of a media item."""

    name: str
    storage_key: str
    content_type: str
    bytes: int
    width: int
    height: int
    sha256: str


def get(session: Session, media_id: str) -> Media | None:
    """The media row, or None."""
    return session.get(Media, media_id)


def mark_ready(
    session: Session, media_id: str, variants: Sequence[StoredVariant], *, now: datetime
) -> bool:
    """Record the stored files and mark the media ready — only if it is still pending.

    False means the media was withdrawn or discarded meanwhile: the caller purges the files.
    """
    original = next(v for v in variants if v.name == "original")
    result = session.execute(
        update(M)
        .where((M.c.id == media_id) & (M.c.status == MediaStatus.PENDING))
        .values(
            status=MediaStatus.READY,
            content_type=original.content_type,
            width=original.width,
            height=original.height,
            bytes=original.bytes,
            sha256=original.sha256,
            error=None,
            updated_at=now,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    session.execute(delete(V).where(V.c.media_id == media_id))
    session.execute(
        V.insert(),
        [
            {
                "media_id": media_id,
                "name": v.name,
                "storage_key": v.storage_key,
                "content_type": v.content_type,
                "bytes": v.bytes,
                "width": v.width,
                "height": v.height,
                "sha256": v.sha256,
                "created_at": now,
            }
            for v in variants
        ],
    )
    return True


def mark_status(
    session: Session, media_id: str, status: MediaStatus, *, error: str | None, now: datetime
) -> bool:
    """Move pending media to a final status (failed, expired, deleted) with the reason."""
    result = session.execute(
        update(M)
        .where((M.c.id == media_id) & (M.c.status == MediaStatus.PENDING))
        .values(status=status, error=(error or None) and error[:200], updated_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def reopen(session: Session, media_id: str, *, now: datetime) -> bool:
    """Make media that a dead job gave up on (`failed`) `pending` again, so a retry fetches it.

    Only `failed`: withdrawn or unsent media (`deleted`) must never be fetched again, LINE no
    longer has `expired` media, and `ready` media is stored already.
    """
    result = session.execute(
        update(M)
        .where((M.c.id == media_id) & (M.c.status == "failed"))
        .values(status="pending", error=None, updated_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def variants(session: Session, media_ids: Sequence[str]) -> dict[str, list[MediaVariant]]:
    """Stored variants per media id."""
    found: dict[str, list[MediaVariant]] = {m: [] for m in media_ids}
    if not media_ids:
        return found
    rows = session.execute(
        select(MediaVariant).where(V.c.media_id.in_(media_ids)).order_by(V.c.name)
    ).scalars()
    for row in rows:
        found[row.media_id].append(row)
    return found


def variant(session: Session, media_id: str, name: str) -> MediaVariant | None:
    """One stored variant, or None."""
    return session.get(MediaVariant, (media_id, name))
