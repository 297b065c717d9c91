"""Submissions the PR team marked as examples, as workers may see them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, select
from sqlmodel import Session

from storage.models import Media, MediaVariant, Submission

S: Table = Submission.__table__  # type: ignore[attr-defined]
M: Table = Media.__table__  # type: ignore[attr-defined]
V: Table = MediaVariant.__table__  # type: ignore[attr-defined]

HIDDEN = ("draft", "withdrawn")


@dataclass(frozen=True)
class ExampleItem:
    """An example: its theme slug, comment, face choice and first ready photo (if any)."""

    submission_id: str
    theme: str | None
    comment: str | None
    face: str | None
    media_id: str | None


def recent(session: Session, *, limit: int) -> list[ExampleItem]:
    """The newest examples first, each with its first ready photo that has a thumbnail."""
    rows = session.execute(
        select(S.c.id, S.c.theme, S.c.comment, S.c.face)
        .where(S.c.example.is_(True) & S.c.status.not_in(HIDDEN))
        .order_by(S.c.submitted_at.desc(), S.c.id.desc())
        .limit(limit)
    ).all()
    ids = [r.id for r in rows]
    first: dict[str, str] = {}
    if ids:
        photos = session.execute(
            select(M.c.submission_id, M.c.id)
            .join(V, (V.c.media_id == M.c.id) & (V.c.name == "thumbnail"))
            .where(M.c.submission_id.in_(ids) & (M.c.status == "ready") & (M.c.kind == "image"))
            .order_by(M.c.position, M.c.id)
        ).all()
        for submission_id, media_id in photos:
            first.setdefault(submission_id, media_id)
    return [ExampleItem(r.id, r.theme, r.comment, r.face, first.get(r.id)) for r in rows]
