"""Who is signed in at /admin: session cookies, their CSRF tokens, and the role checks."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app.admin.auth import RANK, Role, rank
from storage import people
from storage.db import Database
from storage.models import Person

COOKIE = "genba_session"
SIGN_IN_COOKIE = "genba_sign_in"  # the CSRF token of the sign-in form, before any session
IDLE = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)
MAX_FORM_FIELDS = 30
SIGN_IN = "/admin/sign-in"


class SignInRequired(Exception):
    """No live session: the handler sends the browser to the sign-in page."""


@dataclass(frozen=True)
class Visitor:
    """A signed-in person and their session's CSRF token."""

    person_id: str
    email: str
    role: str
    csrf_token: str

    def reaches(self, role: Role) -> bool:
        """True when this person's role is `role` or higher."""
        return rank(self.role) >= RANK[role]


class SessionKeeper:
    """Resolves session cookies against the database and sets them on answers."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.clock = clock

    def visitor(self, cookie: str | None) -> Visitor | None:
        """The person behind a session cookie, or None (no, unknown, ended session)."""
        if not cookie or len(cookie) > 100:
            return None
        now = self.clock()
        with self.db.read() as session:
            found = people.live_session(session, cookie, now=now, idle=IDLE)
            if found is None:
                return None
            row, person = found
            visitor = _visitor(person, row.csrf_token)
            stale = now - row.last_seen_at >= TOUCH_EVERY
            id_hash = row.id_hash
        if stale:
            with self.db.write() as session:
                people.touch_session(session, id_hash, now=now)
        return visitor

    async def require(self, request: Request, role: Role) -> Visitor:
        """The signed-in visitor if their role reaches `role`: else sign-in redirect or 403."""
        visitor = await run_in_threadpool(self.visitor, request.cookies.get(COOKIE))
        if visitor is None:
            raise SignInRequired
        if not visitor.reaches(role):
            raise HTTPException(403, detail=f"this needs the {role} role")
        return visitor


async def form_fields(request: Request, expected_csrf: str | None) -> dict[str, str]:
    """The url-encoded form, refused with 403 unless its csrf_token matches `expected_csrf`."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise HTTPException(400, detail="too many form fields") from None
    fields = dict(pairs)
    require_csrf(fields.pop("csrf_token", ""), expected_csrf)
    return fields


def require_csrf(given: str, expected_csrf: str | None) -> None:
    """Refuse with 403 a form whose csrf_token is not the session's."""
    if not expected_csrf or not hmac.compare_digest(given.encode(), expected_csrf.encode()):
        raise HTTPException(403, detail="the form has expired: reload the page and try again")


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """A cookie scripts cannot read, sent back only to /admin, Secure over HTTPS."""
    # request.url.scheme is "https" also behind a proxy uvicorn trusts (X-Forwarded-Proto).
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/admin",
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
    )


def new_sign_in_token() -> str:
    """A random CSRF token for the sign-in form."""
    return secrets.token_urlsafe(32)


def _visitor(person: Person, csrf: str) -> Visitor:
    return Visitor(person_id=person.id, email=person.email, role=person.role, csrf_token=csrf)
