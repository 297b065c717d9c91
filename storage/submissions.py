"""Submissions as the PR team sees them: filtered, paged lists, one record, review changes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Table, func, select, tuple_, update
from sqlmodel import Session

from flows.types import SubmissionStatus
from storage import audit, credits
from storage.media import variants
from storage.models import Contributor, Media, MediaVariant, Site, Submission
from storage.states import MediaStatus

S: Table = Submission.__table__  # type: ignore[attr-defined]
M: Table = Media.__table__  # type: ignore[attr-defined]
C: Table = Contributor.__table__  # type: ignore[attr-defined]
V: Table = MediaVariant.__table__  # type: ignore[attr-defined]
SITE: Table = Site.__table__  # type: ignore[attr-defined]


# The face filter's word for submissions without photos (and so without a face choice).
COMMENT_ONLY = "none"


class BadCursor(ValueError):
    """The cursor was not made by this API."""


@dataclass(frozen=True)
class MediaRecord:
    """A media row and the names of its stored variants."""

    media: Media
    variants: tuple[str, ...]


@dataclass(frozen=True)
class SubmissionRecord:
    """A submission with what the API shows alongside it."""

    submission: Submission
    contributor_id: str
    display_name: str | None
    media: tuple[MediaRecord, ...] = ()
    guideline_version: int | None = None  # the version the worker agreed to, if any
    guideline_agreed_at: datetime | None = None
    credit: str | None = None  # how the worker lets the PR team credit them (None: not chosen)
    credit_line: str = credits.NOT_CHOSEN_LINE  # the line to print beside a used photo


@dataclass(frozen=True)
class SubmissionFilter:
    """The list filters of `GET /api/v1/submissions` (None = no filter)."""

    status: SubmissionStatus | None = None
    theme: str | None = None
    face: str | None = None  # a flows.types.Face, or COMMENT_ONLY
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = None
    site: str | None = None  # site id
    needs_check: bool = False
    """Only submissions with a photo whose face check is not done (app/admin/release.py)."""


def encode_cursor(created_at: datetime, submission_id: str) -> str:
    """An opaque cursor pointing after this row."""
    raw = f"{created_at.isoformat()}|{submission_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The row a cursor points after (raises BadCursor)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, _, ident = base64.urlsafe_b64decode(padded.encode()).decode().partition("|")
        moment = datetime.fromisoformat(when)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor("invalid cursor") from exc
    if not ident or moment.tzinfo is None:
        raise BadCursor("invalid cursor")
    return moment, ident


Row = tuple[Submission, str | None, int | None, datetime | None, str | None, str | None]


def _selected() -> Select[Row]:
    # The worker's current site (an active one) is the credit line's fallback for a submission
    # sent before they picked a site.
    current = SITE.alias("current_site")
    return (
        select(
            Submission,
            C.c.display_name,
            C.c.guideline_version,
            C.c.guideline_agreed_at,
            C.c.credit,
            current.c.name,
        )
        .join(C, C.c.id == S.c.contributor_id)
        .outerjoin(current, (current.c.id == C.c.site_id) & current.c.retired_at.is_(None))
    )


def _filtered(query: Select[Row], f: SubmissionFilter) -> Select[Row]:
    query = query.where(S.c.status != SubmissionStatus.DRAFT)  # the worker's, never listed
    if f.status is not None:
        query = query.where(S.c.status == f.status)
    if f.theme is not None:
        query = query.where(S.c.theme == f.theme)
    if f.face == COMMENT_ONLY:
        query = query.where(S.c.face.is_(None))
    elif f.face is not None:
        query = query.where(S.c.face == f.face)
    if f.site is not None:
        query = query.where(S.c.site_id == f.site)
    if f.since is not None:
        query = query.where(S.c.created_at >= f.since)
    if f.until is not None:
        query = query.where(S.c.created_at < f.until)
    if f.needs_check:
        query = query.where(_needs_face_check())
    if f.q:
        query = query.where(
            S.c.comment.icontains(f.q, autoescape=True) | S.c.code.icontains(f.q, autoescape=True)
        )
    return query


def _needs_face_check() -> ColumnElement[bool]:
    """A `blur` or flagged `no_face` submission with a photo not yet cleared for release.

    The SQL form of app/admin/release.py's rule (tests/app/test_face_checks.py holds the two
    together): such a photo is cleared only when a reviewer checked it and a `blurred` exists.
    """
    blurred = select(V.c.media_id).where((V.c.media_id == M.c.id) & (V.c.name == "blurred"))
    uncleared = (M.c.status == MediaStatus.PENDING) | M.c.face_check.is_(None) | ~blurred.exists()
    blurred_only = (S.c.face == "blur") | (
        (S.c.face == "no_face") & (M.c.faces.is_(None) | (M.c.faces > 0))
    )
    return (
        select(M.c.id)
        .where(
            (M.c.submission_id == S.c.id)
            & M.c.status.in_([MediaStatus.PENDING, MediaStatus.READY])
            & blurred_only
            & uncleared
        )
        .exists()
    )


def list_page(
    session: Session, f: SubmissionFilter, *, limit: int, cursor: str | None
) -> tuple[list[SubmissionRecord], str | None]:
    """One page, newest first (created_at, then id), and the cursor of the next page."""
    query = _filtered(_selected(), f)
    if cursor is not None:
        after_time, after_id = decode_cursor(cursor)
        query = query.where(tuple_(S.c.created_at, S.c.id) < tuple_(after_time, after_id))
    query = query.order_by(S.c.created_at.desc(), S.c.id.desc()).limit(limit + 1)
    rows = list(session.execute(query).all())
    more = len(rows) > limit
    rows = rows[:limit]
    records = _with_media(session, [tuple(r) for r in rows])
    next_cursor = None
    if more and records:
        last = records[-1].submission
        next_cursor = encode_cursor(last.created_at, last.id)
    return records, next_cursor


def count_by_status(session: Session, f: SubmissionFilter) -> dict[str, int]:
    """How many listed submissions each status has under these filters (status ignored)."""
    wanted = SubmissionFilter(
        theme=f.theme,
        face=f.face,
        since=f.since,
        until=f.until,
        q=f.q,
        needs_check=f.needs_check,
    )
    query = _filtered(
        select(S.c.status, func.count()).select_from(S),
        wanted,
    ).group_by(S.c.status)
    return {str(status): int(n) for status, n in session.execute(query).all()}


def get(session: Session, submission_id: str) -> SubmissionRecord | None:
    """One submission (drafts excluded), with media."""
    row = session.execute(
        _selected().where((S.c.id == submission_id) & (S.c.status != SubmissionStatus.DRAFT))
    ).first()
    if row is None:
        return None
    return _with_media(session, [tuple(row)])[0]


def _with_media(session: Session, rows: Sequence[Row]) -> list[SubmissionRecord]:
    ids = [r[0].id for r in rows]
    by_submission: dict[str, list[Media]] = {i: [] for i in ids}
    if ids:
        found = session.execute(
            select(Media).where(M.c.submission_id.in_(ids)).order_by(M.c.position, M.c.id)
        ).scalars()
        for m in found:
            by_submission[m.submission_id].append(m)
    all_media = [m.id for ms in by_submission.values() for m in ms]
    names = variants(session, all_media)
    return [
        SubmissionRecord(
            submission=s,
            contributor_id=s.contributor_id,
            display_name=name,
            media=tuple(
                MediaRecord(media=m, variants=tuple(v.name for v in names[m.id]))
                for m in by_submission[s.id]
            ),
            guideline_version=agreed,
            guideline_agreed_at=agreed_at,
            credit=credit,
            credit_line=credits.credit_line(
                credit, display_name=name, site_name=s.site_name, current_site=current_site
            ),
        )
        for s, name, agreed, agreed_at, credit, current_site in rows
    ]


def set_example(
    session: Session, submission_id: str, *, example: bool, actor: str, now: datetime
) -> bool:
    """Mark or unmark a submission as an example for workers (never a withdrawn one)."""
    result = session.execute(
        update(S)
        .where(
            (S.c.id == submission_id)
            & S.c.status.not_in(("draft", "withdrawn"))
            & (S.c.example != example)
        )
        .values(example=example, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(
        session,
        actor=actor,
        action="example",
        target_type="submission",
        target_id=submission_id,
        detail={"example": example},
        now=now,
    )
    return True


def change_review(
    session: Session,
    submission_id: str,
    *,
    expected_status: str,
    values: dict[str, object],
    actor: str,
    now: datetime,
) -> bool:
    """Apply a review change if the status is still what the caller decided on."""
    result = session.execute(
        update(S)
        .where((S.c.id == submission_id) & (S.c.status == expected_status))
        .values(**values, updated_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(
        session,
        actor=actor,
        action="review",
        target_type="submission",
        target_id=submission_id,
        detail={"from": expected_status, **{k: str(v) for k, v in values.items()}},
        now=now,
    )
    return True


def set_reactions(
    session: Session, submission_id: str, *, count: int, actor: str, now: datetime
) -> None:
    """Record the reaction count of a published item, with an audit entry."""
    session.execute(
        update(S).where(S.c.id == submission_id).values(reactions=count, updated_at=now)
    )
    audit.record(
        session,
        actor=actor,
        action="reactions",
        target_type="submission",
        target_id=submission_id,
        detail={"reactions": count},
        now=now,
    )
