"""Admin API tokens: random, shown once, stored only as SHA-256; listed, ended and revoked."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Table, select, update
from sqlmodel import Session
from ulid import ULID

from storage.models import ApiToken

T: Table = ApiToken.__table__  # type: ignore[attr-defined]
ROLES = ("viewer", "reviewer", "admin")
PREFIX = "gba_"
MAX_NAME_CHARS = 100  # the column's length
MAX_DAYS = 3650  # the longest end a token may be given, in days
TokenState = Literal["active", "expired", "revoked"]
HIDDEN = ("Zl", "Zp")  # line and paragraph separators (with every "C" category: see clean_name)


@dataclass(frozen=True)
class NewToken:
    """A token just made: its id and the secret itself (the only time it exists in clear)."""

    id: str
    secret: str


def digest(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_name(raw: str) -> str:
    """A token's name without surrounding blanks, or ValueError saying what is wrong with it."""
    name = raw.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise ValueError(f"the name must be 1 to {MAX_NAME_CHARS} characters")
    # Controls, format characters (bidi overrides), surrogates, line breaks: a name is shown in
    # terminals and lists, where these could hide or fake text.
    if any(unicodedata.category(c) in HIDDEN or unicodedata.category(c)[0] == "C" for c in name):
        raise ValueError("the name must be printable text (no control characters)")
    return name


def create(
    session: Session,
    *,
    name: str,
    role: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> str:
    """Create a token and return it (the only time it exists in clear)."""
    return issue(session, name=name, role=role, now=now, expires_at=expires_at).secret


def issue(
    session: Session,
    *,
    name: str,
    role: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> NewToken:
    """Create a token; returns its id and its secret."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    name = clean_name(name)
    if expires_at is not None and expires_at <= now:
        raise ValueError("the end must be in the future")
    token_id, token = str(ULID()), PREFIX + secrets.token_urlsafe(32)
    session.execute(
        T.insert().values(
            id=token_id,
            name=name,
            role=role,
            token_hash=digest(token),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return NewToken(id=token_id, secret=token)


def lookup(session: Session, token: str, *, now: datetime) -> ApiToken | None:
    """The live token row matching a presented token (not revoked, not past its end), or None."""
    # The lookup is by digest, so comparing the secret itself never happens in Python.
    live = T.c.revoked_at.is_(None) & (T.c.expires_at.is_(None) | (T.c.expires_at > now))
    found: ApiToken | None = session.execute(
        select(ApiToken).where((T.c.token_hash == digest(token)) & live)
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


def list_all(session: Session) -> list[ApiToken]:
    """Every token, revoked and ended ones included, oldest first."""
    return list(session.execute(select(ApiToken).order_by(T.c.created_at, T.c.id)).scalars())


def get(session: Session, token_id: str) -> ApiToken | None:
    """One token by its id."""
    return session.get(ApiToken, token_id)


def find(session: Session, ref: str) -> list[ApiToken]:
    """The token whose id is `ref`, else every token named `ref` (oldest first)."""
    if not ref or len(ref) > MAX_NAME_CHARS or "\x00" in ref:
        return []  # no id or name can be this (and PostgreSQL refuses NUL in text)
    by_id = get(session, ref)
    if by_id is not None:
        return [by_id]
    named = select(ApiToken).where(T.c.name == ref).order_by(T.c.created_at, T.c.id)
    return list(session.execute(named).scalars())


def state(row: ApiToken, now: datetime) -> TokenState:
    """`active`, `expired` or `revoked`."""
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "active"
