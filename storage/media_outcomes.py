"""What became of a media item after its job: a video's running time, the notice to its sender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, func, select, update
from sqlmodel import Session

from storage.models import Contributor, Media, Submission

M: Table = Media.__table__  # type: ignore[attr-defined]
S: Table = Submission.__table__  # type: ignore[attr-defined]
C: Table = Contributor.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NoticeTarget:
    """Who to tell that a media item failed, and what about."""

    media_id: str
    kind: str
    status: str
    reason: str | None
    notice_sent: bool
    code: str
    submission_status: str
    contributor_id: str
    language: str | None
    following: bool


def set_duration(session: Session, media_id: str, duration_ms: int) -> None:
    """Record a stored video's running time."""
    session.execute(update(M).where(M.c.id == media_id).values(duration_ms=duration_ms))


def notice_target(session: Session, media_id: str) -> NoticeTarget | None:
    """The media item, its submission's code and its sender, or None if it is gone."""
    row = session.execute(
        select(
            M.c.kind,
            M.c.status,
            M.c.error,
            M.c.notice_sent_at,
            S.c.code,
            S.c.status.label("submission_status"),
            C.c.id.label("contributor_id"),
            # The language the worker chose in the settings comes before their LINE profile's.
            func.coalesce(C.c.chosen_language, C.c.language).label("language"),
            C.c.following,
        )
        .join(S, S.c.id == M.c.submission_id)
        .join(C, C.c.id == S.c.contributor_id)
        .where(M.c.id == media_id)
    ).first()
    if row is None:
        return None
    return NoticeTarget(
        media_id=media_id,
        kind=row.kind,
        status=row.status,
        reason=row.error,
        notice_sent=row.notice_sent_at is not None,
        code=row.code,
        submission_status=row.submission_status,
        contributor_id=row.contributor_id,
        language=row.language,
        following=bool(row.following),
    )


def submission_status(session: Session, media_id: str) -> str | None:
    """The status of the submission a media item belongs to (None if it is gone).

    The submission row is locked (PostgreSQL; SQLite serialises writers anyway), so a draft
    being submitted at the same moment is seen either before its submission, which then finds
    this failure (`unnoticed_failures`), or after it: never both missed.
    """
    sid = select(M.c.submission_id).where(M.c.id == media_id).scalar_subquery()
    return session.execute(
        select(S.c.status).where(S.c.id == sid).with_for_update()
    ).scalar_one_or_none()


def unnoticed_failures(session: Session, submission_id: str) -> list[str]:
    """Failed or expired media of a submission whose sender was not told yet."""
    rows = session.execute(
        select(M.c.id).where(
            (M.c.submission_id == submission_id)
            & M.c.status.in_(("failed", "expired"))
            & M.c.notice_sent_at.is_(None)
        )
    )
    return [str(r[0]) for r in rows]


def claim_notice(session: Session, media_id: str, key: str) -> list[tuple[str, str | None]]:
    """The failed media one push (`key`) tells about: (id, reason) pairs, claimed for it.

    The first call claims every failed, unclaimed media item of the submission, so an album
    of bad files makes one push; a later call with the same key (a retried job) gets the same
    items back, never more, so a retried push has the same body under the same key.
    """
    claimed = select(M.c.id, M.c.error).where(M.c.notice_key == key).order_by(M.c.position, M.c.id)
    found = session.execute(claimed).all()
    if not found:
        sid = select(M.c.submission_id).where(M.c.id == media_id).scalar_subquery()
        session.execute(
            update(M)
            .where(
                (M.c.submission_id == sid)
                & M.c.status.in_(("failed", "expired"))
                & M.c.notice_key.is_(None)
                & M.c.notice_sent_at.is_(None)
            )
            .values(notice_key=key)
        )
        found = session.execute(claimed).all()
    return [(str(r.id), r.error) for r in found]


def mark_notice_sent(session: Session, key: str, *, now: datetime) -> int:
    """Record that the push `key` was sent; returns how many media items it told about."""
    result = session.execute(
        update(M)
        .where((M.c.notice_key == key) & M.c.notice_sent_at.is_(None))
        .values(notice_sent_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
