"""A worker's own submissions found by what they type: a receipt code, or the latest one.

Every lookup is scoped to one contributor, so nothing typed can reach another worker's
submission; `code_taken` only tells the caller whether a miss deserves a log line.
"""

from __future__ import annotations

from sqlalchemy import Table, select
from sqlmodel import Session

from storage.models import Submission

S: Table = Submission.__table__  # type: ignore[attr-defined]
WITHDRAWABLE_NOT = ("draft", "withdrawn")


def own_by_code(session: Session, *, code: str, contributor_id: str) -> Submission | None:
    """The contributor's submission with this code (drafts excluded), if any."""
    found: Submission | None = session.execute(
        select(Submission).where(
            (S.c.code == code) & (S.c.contributor_id == contributor_id) & (S.c.status != "draft")
        )
    ).scalar_one_or_none()
    return found


def code_taken(session: Session, code: str) -> bool:
    """Tell whether any submission has this code."""
    return session.execute(select(S.c.id).where(S.c.code == code)).first() is not None


def latest_withdrawable(session: Session, *, contributor_id: str) -> Submission | None:
    """The contributor's most recently submitted submission that can still be withdrawn."""
    found: Submission | None = (
        session.execute(
            select(Submission)
            .where((S.c.contributor_id == contributor_id) & S.c.status.not_in(WITHDRAWABLE_NOT))
            .order_by(S.c.submitted_at.desc().nulls_last(), S.c.created_at.desc(), S.c.id.desc())
            .limit(1)
        )
        .scalars()
        .first()
    )
    return found
