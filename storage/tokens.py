"""Admin API tokens: random, shown once, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import Table, select, update
from sqlmodel import Session
from ulid import ULID

from storage.models import ApiToken

T: Table = ApiToken.__table__  # type: ignore[attr-defined]
ROLES = ("viewer", "reviewer", "admin")
PREFIX = "gba_"


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(session: Session, *, name: str, role: str, now: datetime) -> str:
    """Create a token and return it (the only time it exists in clear)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    token = PREFIX + secrets.token_urlsafe(32)
    session.execute(
        T.insert().values(
            id=str(ULID()), name=name, role=role, token_hash=digest(token), created_at=now
        )
    )
    return token


def lookup(session: Session, token: str) -> ApiToken | None:
    """The live token row matching a presented token, or None."""
    # The lookup is by digest, so comparing the secret itself never happens in Python.
    found: ApiToken | None = session.execute(
        select(ApiToken).where((T.c.token_hash == digest(token)) & T.c.revoked_at.is_(None))
    ).scalar_one_or_none()
    return found


def touch(session: Session, token_id: str, *, now: datetime) -> None:
    """Remember when a token was last used."""
    session.execute(update(T).where(T.c.id == token_id).values(last_used_at=now))


def revoke(session: Session, token_id: str, *, now: datetime) -> bool:
    """Stop a token from working; False if it was unknown or revoked already."""
    result = session.execute(
        update(T).where((T.c.id == token_id) & T.c.revoked_at.is_(None)).values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
