"""Media rows and their stored variants, as the media job and the admin API see them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, delete, select, update
from sqlmodel import Session

from storage.models import Media, MediaVariant
from storage.states import FaceCheck, MediaStatus

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


@dataclass(frozen=True)
class FoundFaces:
    """What the face detector found in a photo: boxes in the sanitised original's pixels."""

    boxes: tuple[Mapping[str, int | float], ...]

    @property
    def count(self) -> int:
        """How many faces."""
        return len(self.boxes)


def face_boxes(media: Media) -> list[dict[str, int | float]]:
    """The stored face boxes of a media row ([] when none were found or not counted)."""
    try:
        value = json.loads(media.face_boxes or "[]")
    except ValueError:
        return []
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


def get(session: Session, media_id: str) -> Media | None:
    """The media row, or None."""
    return session.get(Media, media_id)


def mark_ready(
    session: Session,
    media_id: str,
    variants: Sequence[StoredVariant],
    *,
    now: datetime,
    faces: FoundFaces | None = None,
) -> bool:
    """Record the stored files (and the faces found) and mark the media ready — if still pending.

    False means the media was withdrawn or discarded meanwhile: the caller purges the files.
    Any earlier face check is cleared: it was about files that are replaced now.
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
            faces=None if faces is None else faces.count,
            face_boxes=None if faces is None else json.dumps([dict(b) for b in faces.boxes]),
            face_check=None,
            face_checked_by=None,
            face_checked_at=None,
            error=None,
            updated_at=now,
        )
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    session.execute(delete(V).where(V.c.media_id == media_id))
    _insert_variants(session, media_id, variants, now=now)
    return True


def record_face_check(
    session: Session,
    media_id: str,
    check: FaceCheck,
    *,
    actor: str,
    now: datetime,
    replaced: Sequence[StoredVariant] = (),
) -> bool:
    """Mark a ready photo's face check done, storing a reviewer's own blurred files if given.

    False when the photo is no longer ready (withdrawn meanwhile): nothing is changed.
    """
    result = session.execute(
        update(M)
        .where((M.c.id == media_id) & (M.c.status == MediaStatus.READY))
        .values(face_check=check, face_checked_by=actor[:120], face_checked_at=now, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    names = [v.name for v in replaced]
    if names:
        session.execute(delete(V).where((V.c.media_id == media_id) & V.c.name.in_(names)))
        _insert_variants(session, media_id, replaced, now=now)
    return True


def _insert_variants(
    session: Session, media_id: str, variants: Sequence[StoredVariant], *, now: datetime
) -> None:
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
