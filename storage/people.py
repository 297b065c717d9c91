"""People who sign in to the /admin pages, and their server-side sessions.

Passwords arrive here already hashed, and a session's cookie only as its SHA-256: a copy of
the database lets no one sign in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, func, select, update
from sqlmodel import Session
from ulid import ULID

from storage.models import Person, PersonSession

P: Table = Person.__table__  # type: ignore[attr-defined]
PS: Table = PersonSession.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NewSession:
    """A session just opened: the cookie value (only here in clear) and its CSRF token."""

    cookie: str
    csrf_token: str


def session_digest(cookie: str) -> str:
    """The stored form of a session cookie."""
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


def create(session: Session, *, email: str, role: str, password_hash: str, now: datetime) -> str:
    """Add a person and return their id."""
    person_id = str(ULID())
    session.add(
        Person(
            id=person_id,
            email=email,
            role=role,
            password_hash=password_hash,
            created_at=now,
            updated_at=now,
        )
    )
    session.flush()
    return person_id


def by_email(session: Session, email: str) -> Person | None:
    """The person with this (lower-cased) e-mail address."""
    return session.execute(select(Person).where(P.c.email == email)).scalars().first()


def get(session: Session, person_id: str) -> Person | None:
    """One person by id."""
    return session.get(Person, person_id)


def list_all(session: Session) -> list[Person]:
    """Everyone, by e-mail address."""
    return list(session.execute(select(Person).order_by(P.c.email)).scalars())


def count_admins(session: Session) -> int:
    """How many enabled admins there are."""
    return int(
        session.execute(
            select(func.count()).where((P.c.role == "admin") & P.c.disabled_at.is_(None))
        ).scalar_one()
    )


def change(session: Session, person_id: str, *, now: datetime, **values: object) -> bool:
    """Set these columns of one person; False when there is no such person."""
    result = session.execute(update(P).where(P.c.id == person_id).values(**values, updated_at=now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def failed_sign_in(
    session: Session, person_id: str, *, limit: int, lock_for: timedelta, now: datetime
) -> None:
    """Count a wrong password; at `limit` in a row the account is locked for `lock_for`."""
    session.execute(
        update(P).where(P.c.id == person_id).values(failed_sign_ins=P.c.failed_sign_ins + 1)
    )
    session.execute(
        update(P)
        .where((P.c.id == person_id) & (P.c.failed_sign_ins >= limit))
        .values(locked_until=now + lock_for, failed_sign_ins=0)
    )


def open_session(
    session: Session, person_id: str, *, now: datetime, lifetime: timedelta
) -> NewSession:
    """A new session with a fresh random id (never one the browser offered)."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        PersonSession(
            id_hash=session_digest(cookie),
            person_id=person_id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
        )
    )
    session.execute(
        update(P)
        .where(P.c.id == person_id)
        .values(failed_sign_ins=0, locked_until=None, updated_at=now)
    )
    session.flush()
    return NewSession(cookie=cookie, csrf_token=csrf)


def live_session(
    session: Session, cookie: str, *, now: datetime, idle: timedelta
) -> tuple[PersonSession, Person] | None:
    """The session and its enabled person, unless it has ended (idle, absolute, disabled)."""
    row = session.execute(
        select(PersonSession, Person)
        .join(Person, P.c.id == PS.c.person_id)
        .where(PS.c.id_hash == session_digest(cookie))
    ).first()
    if row is None:
        return None
    found, person = row[0], row[1]
    if now >= found.expires_at or now - found.last_seen_at >= idle or person.disabled_at:
        return None
    return found, person


def touch_session(session: Session, id_hash: str, *, now: datetime) -> None:
    """Record activity, pushing the idle end back."""
    session.execute(update(PS).where(PS.c.id_hash == id_hash).values(last_seen_at=now))


def close_session(session: Session, cookie: str) -> None:
    """Delete the session behind this cookie (signing out)."""
    session.execute(delete(PS).where(PS.c.id_hash == session_digest(cookie)))


def close_sessions_of(session: Session, person_id: str) -> None:
    """Delete every session of one person (disabled, or their role changed)."""
    session.execute(delete(PS).where(PS.c.person_id == person_id))


def purge_sessions(session: Session, *, now: datetime, idle: timedelta) -> int:
    """Delete ended sessions; returns how many."""
    result = session.execute(
        delete(PS).where((PS.c.expires_at <= now) | (PS.c.last_seen_at <= now - idle))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
