"""What the stats page counts: handed-in submissions since a moment, and when each was reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, func, select
from sqlmodel import Session

from storage.models import AuditEntry, Contributor, Media, MediaVariant, Site, Submission

S: Table = Submission.__table__  # type: ignore[attr-defined]
A: Table = AuditEntry.__table__  # type: ignore[attr-defined]
M: Table = Media.__table__  # type: ignore[attr-defined]
V: Table = MediaVariant.__table__  # type: ignore[attr-defined]
C: Table = Contributor.__table__  # type: ignore[attr-defined]
SITE: Table = Site.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Handed:
    """One handed-in submission, as the stats need it."""

    id: str
    contributor_id: str
    kind: str
    status: str
    theme: str | None
    face: str | None
    submitted_at: datetime
    first_review_at: datetime | None
    site: str | None  # the site's name when it was sent (None: no site picked)


def handed_in_since(session: Session, since: datetime) -> list[Handed]:
    """Submissions handed in at or after `since` (drafts never), with their first review."""
    first_review = (
        select(A.c.target_id, func.min(A.c.at).label("at"))
        .where((A.c.target_type == "submission") & (A.c.action == "review"))
        .group_by(A.c.target_id)
        .subquery()
    )
    rows = session.execute(
        select(
            S.c.id,
            S.c.contributor_id,
            S.c.kind,
            S.c.status,
            S.c.theme,
            S.c.face,
            S.c.submitted_at,
            first_review.c.at,
            S.c.site_name,
        )
        .outerjoin(first_review, first_review.c.target_id == S.c.id)
        .where(S.c.submitted_at.is_not(None) & (S.c.submitted_at >= since))
        .order_by(S.c.submitted_at, S.c.id)
    ).all()
    return [Handed(*row) for row in rows]


def published_between(session: Session, start: datetime, end: datetime) -> list[Submission]:
    """Items published in [start, end), oldest first."""
    rows = session.execute(
        select(Submission)
        .where((S.c.status == "published") & (S.c.published_at >= start) & (S.c.published_at < end))
        .order_by(S.c.published_at, S.c.id)
    ).scalars()
    return list(rows)


@dataclass(frozen=True)
class Credited:
    """One handed-in submission with what its contributor allows the PR team to say of them."""

    contributor_id: str
    credit: str | None
    display_name: str | None
    site_name: str | None  # stamped on the submission
    current_site: str | None  # the contributor's active site now


def credited_since(session: Session, since: datetime) -> list[Credited]:
    """Submissions handed in at or after `since` and not withdrawn, oldest first, with credits."""
    current = SITE.alias("current_site")
    rows = session.execute(
        select(S.c.contributor_id, C.c.credit, C.c.display_name, S.c.site_name, current.c.name)
        .join(C, C.c.id == S.c.contributor_id)
        .outerjoin(current, (current.c.id == C.c.site_id) & current.c.retired_at.is_(None))
        .where(
            S.c.submitted_at.is_not(None)
            & (S.c.submitted_at >= since)
            & (S.c.status != "withdrawn")
        )
        .order_by(S.c.submitted_at, S.c.id)
    ).all()
    return [Credited(*row) for row in rows]
