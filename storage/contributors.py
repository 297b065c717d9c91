"""Contributors: one per LINE user who wrote to the bot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, select, update
from sqlmodel import Session
from ulid import ULID

from storage.dialect import insert_ignore
from storage.models import Contributor

T: Table = Contributor.__table__  # type: ignore[attr-defined]


def ensure(session: Session, line_user_id: str, *, now: datetime) -> tuple[Contributor, bool]:
    """The contributor for this LINE user, and whether this call created it."""
    created = session.execute(
        insert_ignore(session, T)
        .values(
            id=str(ULID()),
            line_user_id=line_user_id,
            following=True,
            created_at=now,
            updated_at=now,
        )
        .returning(T.c.id)
    ).first()
    found: Contributor = session.execute(
        select(Contributor).where(T.c.line_user_id == line_user_id)
    ).scalar_one()
    return found, created is not None


def by_line_user(session: Session, line_user_id: str) -> Contributor | None:
    """The contributor for this LINE user, if any."""
    return session.execute(
        select(Contributor).where(T.c.line_user_id == line_user_id)
    ).scalar_one_or_none()


def set_profile(
    session: Session,
    contributor_id: str,
    *,
    display_name: str | None,
    language: str | None,
    now: datetime,
) -> None:
    """Record what the LINE profile said (and when we asked)."""
    values: dict[str, object] = {"profile_checked_at": now, "updated_at": now}
    if display_name is not None:
        values["display_name"] = display_name
    if language is not None:
        values["language"] = language
    session.execute(update(T).where(T.c.id == contributor_id).values(**values))


def set_following(session: Session, contributor_id: str, *, following: bool, now: datetime) -> None:
    """Record a follow or a block."""
    session.execute(
        update(T).where(T.c.id == contributor_id).values(following=following, updated_at=now)
    )


def set_language(session: Session, contributor_id: str, *, language: str, now: datetime) -> None:
    """Record the language the worker chose in the settings (the profile never overrides it)."""
    session.execute(
        update(T).where(T.c.id == contributor_id).values(chosen_language=language, updated_at=now)
    )
