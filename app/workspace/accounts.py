"""Accounts of the people who sign in at /admin: the rules shared by the CLI and the pages."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.admin.auth import Role
from storage import audit, people
from storage.db import Database
from storage.models import Person

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # argon2 takes any length; a cap keeps hostile input cheap
MAX_EMAIL_CHARS = 254
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLES = tuple(str(r) for r in Role)
# Per account: this many wrong passwords in a row lock it for LOCK_FOR.
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
# argon2id with the library's current defaults (RFC 9106 low-memory profile).
HASHER = PasswordHasher()


class AccountError(ValueError):
    """Input an account cannot have; the message says what to do."""


@dataclass(frozen=True)
class SignInResult:
    """A signed-in person and their new session, or why not (`problem`)."""

    person: Person | None
    session: people.NewSession | None
    problem: str | None


def clean_email(raw: str) -> str:
    """The address lower-cased and stripped, or AccountError."""
    email = raw.strip().lower()
    if not email or len(email) > MAX_EMAIL_CHARS or not EMAIL.match(email):
        raise AccountError("give an e-mail address like name@example.com")
    if any(unicodedata.category(c)[0] == "C" for c in email):
        raise AccountError("the e-mail address must be printable text")
    return email


def check_password(password: str) -> str:
    """The password if it is acceptable, else AccountError saying why."""
    if not password:
        raise AccountError("the password is empty")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"the password must be at most {MAX_PASSWORD_CHARS} characters")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in password):
        raise AccountError("the password must not contain control characters")
    return password


def check_role(role: str) -> str:
    """The role if it exists, else AccountError."""
    if role not in ROLES:
        raise AccountError(f"the role must be one of: {', '.join(ROLES)}")
    return role


def create_person(
    db: Database, *, email: str, role: str, password: str, actor: str, now: datetime
) -> str:
    """Add an account (AccountError for bad input or a taken address); returns its id."""
    email, role = clean_email(email), check_role(role)
    hashed = HASHER.hash(check_password(password))
    with db.write() as session:
        if people.by_email(session, email) is not None:
            raise AccountError("someone already has that e-mail address")
        person_id = people.create(session, email=email, role=role, password_hash=hashed, now=now)
        audit.record(
            session,
            actor=actor,
            action="create_person",
            target_type="person",
            target_id=person_id,
            detail={"role": role},
            now=now,
        )
    return person_id


def set_password(db: Database, email: str, password: str, *, actor: str, now: datetime) -> bool:
    """Give an account a new password (its sessions end); False when there is no such account."""
    hashed = HASHER.hash(check_password(password))
    with db.write() as session:
        person = people.by_email(session, clean_email(email))
        if person is None:
            return False
        people.change(session, person.id, now=now, password_hash=hashed, locked_until=None)
        people.close_sessions_of(session, person.id)
        audit.record(
            session,
            actor=actor,
            action="set_password",
            target_type="person",
            target_id=person.id,
            detail={},
            now=now,
        )
    return True


def update_person(
    db: Database,
    person_id: str,
    *,
    role: str | None,
    disabled: bool | None,
    actor: str,
    now: datetime,
) -> None:
    """Change a role or disable/enable an account; its sessions end. Keeps one admin."""
    if role is not None:
        check_role(role)
    with db.write() as session:
        person = people.get(session, person_id)
        if person is None:
            raise AccountError("no such person")
        values: dict[str, object] = {}
        if role is not None and role != person.role:
            values["role"] = role
        if disabled is not None and disabled != (person.disabled_at is not None):
            values["disabled_at"] = now if disabled else None
        if not values:
            return
        was_live_admin = person.role == "admin" and person.disabled_at is None
        loses_admin = values.get("role", "admin") != "admin" or values.get("disabled_at")
        if was_live_admin and loses_admin and people.count_admins(session) <= 1:
            raise AccountError("this is the last admin: make another admin first")
        people.change(session, person_id, now=now, **values)
        people.close_sessions_of(session, person_id)
        audit.record(
            session,
            actor=actor,
            action="change_person",
            target_type="person",
            target_id=person_id,
            detail={k: str(v) for k, v in values.items()},
            now=now,
        )


def sign_in(
    db: Database,
    *,
    email: str,
    password: str,
    now: datetime,
    lifetime: timedelta,
    idle: timedelta,
) -> SignInResult:
    """Check the password and open a new session; locked and disabled accounts are refused."""
    refused = "wrong e-mail address or password"
    try:
        email = clean_email(email)
    except AccountError:
        email = ""
    with db.read() as session:
        person = people.by_email(session, email) if email else None
    if person is None or len(password) > MAX_PASSWORD_CHARS:
        # A wrong address costs as long as a wrong password: nothing tells which it was.
        _verify(_dummy_hash(), password[:MAX_PASSWORD_CHARS])
        return SignInResult(None, None, refused)
    if person.locked_until is not None and now < person.locked_until:
        return SignInResult(None, None, "too many wrong passwords: try again in 15 minutes")
    if not _verify(person.password_hash, password):
        with db.write() as session:
            people.failed_sign_in(session, person.id, limit=LOCK_AFTER, lock_for=LOCK_FOR, now=now)
        return SignInResult(None, None, refused)
    if person.disabled_at is not None:
        return SignInResult(None, None, "this account is disabled: ask an admin")
    with db.write() as session:
        if HASHER.check_needs_rehash(person.password_hash):
            people.change(session, person.id, now=now, password_hash=HASHER.hash(password))
        opened = people.open_session(session, person.id, now=now, lifetime=lifetime)
        # Ended sessions go when someone signs in: no background job needed for them.
        people.purge_sessions(session, now=now, idle=idle)
    return SignInResult(person, opened, None)


@functools.cache
def _dummy_hash() -> str:
    # Made on first use, not at import: the server starts without spending a hash.
    return HASHER.hash("not a password of anyone")


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
