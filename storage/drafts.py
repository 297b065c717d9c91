"""Carrying out a conversation step's effects on one contributor's submissions and media.

Every statement is scoped to the contributor, so a step can only ever touch its own worker's
rows. Functions that make files obsolete return the media ids whose files must be purged.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Table, delete, func, select, update
from sqlmodel import Session
from ulid import ULID

from flows.types import SubmissionStatus
from storage import audit, sites
from storage.dialect import insert_ignore
from storage.models import Media, MediaVariant, Submission, Theme
from storage.states import MediaStatus

S: Table = Submission.__table__  # type: ignore[attr-defined]
M: Table = Media.__table__  # type: ignore[attr-defined]
V: Table = MediaVariant.__table__  # type: ignore[attr-defined]
TH: Table = Theme.__table__  # type: ignore[attr-defined]

# No 0/O, 1/I/L: codes are read out loud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_code() -> str:
    """A short, human-friendly submission code such as `K7F-3QX`."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"{chars[:3]}-{chars[3:]}"


def unused_code(session: Session) -> str:
    """A code no submission has yet."""
    while True:
        code = new_code()
        if session.execute(select(S.c.id).where(S.c.code == code)).first() is None:
            return code


def _draft(draft_id: str, contributor_id: str) -> ColumnElement[bool]:
    return (
        (S.c.id == draft_id)
        & (S.c.contributor_id == contributor_id)
        & (S.c.status == SubmissionStatus.DRAFT)
    )


def start(
    session: Session, *, draft_id: str, code: str, kind: str, contributor_id: str, now: datetime
) -> None:
    """Open a draft submission."""
    # Idempotent on the id only: a clash on the code must fail (and the step be retried with
    # a new code), not silently leave the worker without a draft.
    session.execute(
        insert_ignore(session, S, on=["id"]).values(
            id=draft_id,
            code=code,
            contributor_id=contributor_id,
            kind=kind,
            status=SubmissionStatus.DRAFT,
            created_at=now,
            updated_at=now,
        )
    )


def attach_photo(
    session: Session,
    *,
    draft_id: str,
    contributor_id: str,
    message_id: str,
    image_set_id: str | None,
    index: int | None,
    now: datetime,
    kind: str = "image",
) -> str | None:
    """Add a photo (or video) to a draft; returns the new media id, or None if known already."""
    owner = session.execute(select(S.c.id).where(_draft(draft_id, contributor_id))).first()
    if owner is None:
        return None
    if index is None:
        index = 1 + int(
            session.execute(
                select(func.count()).select_from(M).where(M.c.submission_id == draft_id)
            ).scalar_one()
        )
    media_id = str(ULID())
    inserted = session.execute(
        insert_ignore(session, M)
        .values(
            id=media_id,
            submission_id=draft_id,
            line_message_id=message_id,
            kind=kind,
            status=MediaStatus.PENDING,
            position=index,
            image_set_id=image_set_id,
            created_at=now,
            updated_at=now,
        )
        .returning(M.c.id)
    ).first()
    return media_id if inserted is not None else None


def move_photos(
    session: Session,
    *,
    message_ids: Sequence[str],
    to_draft_id: str,
    contributor_id: str,
    now: datetime,
) -> None:
    """Move photos between this contributor's drafts."""
    if not message_ids:
        return
    own_drafts = select(S.c.id).where(
        (S.c.contributor_id == contributor_id) & (S.c.status == SubmissionStatus.DRAFT)
    )
    session.execute(
        update(M)
        .where(M.c.line_message_id.in_(message_ids), M.c.submission_id.in_(own_drafts))
        .values(submission_id=to_draft_id, updated_at=now)
    )


def set_theme(
    session: Session, *, draft_id: str, contributor_id: str, slug: str, now: datetime
) -> None:
    """Record the chosen theme (ignored if the theme vanished meanwhile)."""
    if session.execute(select(TH.c.slug).where(TH.c.slug == slug)).first() is None:
        return
    session.execute(
        update(S).where(_draft(draft_id, contributor_id)).values(theme=slug, updated_at=now)
    )


def set_face(
    session: Session, *, draft_id: str, contributor_id: str, face: str, now: datetime
) -> None:
    """Record the face choice: the worker's consent record, with its time."""
    result = session.execute(
        update(S)
        .where(_draft(draft_id, contributor_id))
        .values(face=face, face_chosen_at=now, updated_at=now)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        audit.record(
            session,
            actor="worker",
            action="face_choice",
            target_type="submission",
            target_id=draft_id,
            detail={"face": face},
            now=now,
        )


def set_comment(
    session: Session, *, draft_id: str, contributor_id: str, comment: str | None, now: datetime
) -> None:
    """Record the one-line comment (None when skipped)."""
    session.execute(
        update(S).where(_draft(draft_id, contributor_id)).values(comment=comment, updated_at=now)
    )


def submit(session: Session, *, draft_id: str, contributor_id: str, now: datetime) -> bool:
    """Hand the draft to the PR team (status `new`), stamped with the worker's site now."""
    result = session.execute(
        update(S)
        .where(_draft(draft_id, contributor_id))
        .values(status=SubmissionStatus.NEW, submitted_at=now, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    sites.stamp(session, submission_id=draft_id, contributor_id=contributor_id)
    return True


def _media_ids(session: Session, condition: ColumnElement[bool]) -> list[str]:
    return [str(r) for r in session.execute(select(M.c.id).where(condition)).scalars()]


def discard(session: Session, *, draft_id: str, contributor_id: str) -> list[str]:
    """Delete a draft and its media rows; returns the media ids whose files must go."""
    if session.execute(select(S.c.id).where(_draft(draft_id, contributor_id))).first() is None:
        return []
    ids = _media_ids(session, M.c.submission_id == draft_id)
    if ids:
        session.execute(delete(V).where(V.c.media_id.in_(ids)))
        session.execute(delete(M).where(M.c.id.in_(ids)))
    session.execute(delete(S).where(_draft(draft_id, contributor_id)))
    return ids


def _retire_media(session: Session, ids: list[str], *, now: datetime) -> None:
    if ids:
        session.execute(delete(V).where(V.c.media_id.in_(ids)))
        session.execute(
            update(M).where(M.c.id.in_(ids)).values(status=MediaStatus.DELETED, updated_at=now)
        )


def withdraw(
    session: Session, *, submission_id: str, contributor_id: str, now: datetime
) -> list[str]:
    """The worker withdrew a submission: mark it and retire its media; returns media ids."""
    result = session.execute(
        update(S)
        .where(
            (S.c.id == submission_id)
            & (S.c.contributor_id == contributor_id)
            & (S.c.status.notin_((SubmissionStatus.DRAFT, SubmissionStatus.WITHDRAWN)))
        )
        .values(status=SubmissionStatus.WITHDRAWN, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return []
    ids = _media_ids(session, M.c.submission_id == submission_id)
    _retire_media(session, ids, now=now)
    audit.record(
        session,
        actor="worker",
        action="withdraw",
        target_type="submission",
        target_id=submission_id,
        detail={"media": len(ids)},
        now=now,
    )
    return ids


def withdraw_photo(
    session: Session, *, message_id: str, contributor_id: str, now: datetime
) -> list[str]:
    """The worker unsent a photo in LINE: retire its stored copy; returns its media id."""
    own = select(S.c.id).where(S.c.contributor_id == contributor_id)
    ids = _media_ids(
        session,
        (M.c.line_message_id == message_id)
        & M.c.submission_id.in_(own)
        & (M.c.status != MediaStatus.DELETED),
    )
    _retire_media(session, ids, now=now)
    for media_id in ids:
        audit.record(
            session,
            actor="worker",
            action="unsend",
            target_type="media",
            target_id=media_id,
            detail={},
            now=now,
        )
    return ids


def unsent_media(
    session: Session, *, message_id: str, contributor_id: str
) -> tuple[str, bool] | None:
    """The submission an unsent photo or video belongs to, and whether it is a video.

    Any status: LINE drops an unsent message's content at once, so its download may already
    have marked it deleted before the unsend event is handled; it still counts in the draft.
    """
    own = select(S.c.id).where(S.c.contributor_id == contributor_id)
    row = session.execute(
        select(M.c.submission_id, M.c.kind).where(
            (M.c.line_message_id == message_id) & M.c.submission_id.in_(own)
        )
    ).first()
    return None if row is None else (str(row[0]), row[1] == "video")


def summary(session: Session, *, submission_id: str, contributor_id: str) -> Submission | None:
    """A submission of this contributor, if it exists."""
    found: Submission | None = session.execute(
        select(Submission).where((S.c.id == submission_id) & (S.c.contributor_id == contributor_id))
    ).scalar_one_or_none()
    return found


def change_face(
    session: Session,
    *,
    submission_id: str,
    contributor_id: str,
    face: str,
    was: str,
    status: str,
    now: datetime,
) -> bool:
    """Change a sent submission's face choice, if it is still as the step saw it; audited."""
    # The status and the old face in the WHERE make a repeated or raced change a no-op.
    result = session.execute(
        update(S)
        .where(
            (S.c.id == submission_id)
            & (S.c.contributor_id == contributor_id)
            & (S.c.status == status)
            & (S.c.face == was)
        )
        .values(face=face, face_chosen_at=now, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(
        session,
        actor="worker",
        action="face_change",
        target_type="submission",
        target_id=submission_id,
        detail={"from": was, "to": face, "status": status},
        now=now,
    )
    return True


def last_face(session: Session, *, contributor_id: str) -> str | None:
    """The face choice of the worker's latest sent submission that has one."""
    found = session.execute(
        select(S.c.face)
        .where(
            (S.c.contributor_id == contributor_id) & (S.c.status != "draft") & S.c.face.is_not(None)
        )
        .order_by(S.c.created_at.desc(), S.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return str(found) if found is not None else None


def recent(session: Session, *, contributor_id: str, limit: int) -> list[Submission]:
    """The worker's own sent submissions, newest first."""
    return list(
        session.execute(
            select(Submission)
            .where((S.c.contributor_id == contributor_id) & (S.c.status != "draft"))
            .order_by(S.c.created_at.desc(), S.c.id.desc())
            .limit(limit)
        ).scalars()
    )


def exists(session: Session, submission_id: str) -> bool:
    """Whether any submission has this id (to tell a foreign id from an unknown one in logs)."""
    return session.execute(select(S.c.id).where(S.c.id == submission_id)).first() is not None


def purge_payload(media_ids: Sequence[str]) -> str:
    """The job payload that deletes these media files."""
    return json.dumps({"media_ids": list(media_ids)})
