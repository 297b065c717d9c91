"""Bearer tokens and roles: who is calling, and whether their role reaches the route's minimum.

The token is checked by `AdminGate` (app/admin/gate.py), an ASGI layer in front of /api/v1,
before any of the request body is read; it leaves the `Caller` in the request's scope. Every
admin route declares its minimum role by taking a `RoleGuard` dependency, which reads that
caller; `GuardedRoute` refuses to build a route without one (deny by default) and writes the
role into the OpenAPI operation as `x-required-role`.
"""

import inspect
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from fastapi import Depends, HTTPException, Request, status
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError

from app.admin.schemas import ErrorRead
from storage import tokens
from storage.db import Database

log = logging.getLogger("genba.admin")

# RFC 6750 b64token (token68); anything else after "Bearer " is malformed.
TOKEN68 = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")
# Our tokens are ~47 characters; a cap keeps hashing and logging of junk bounded.
MAX_TOKEN_CHARS = 256
# last_used_at is bookkeeping: one write per token per interval, not one per request.
TOUCH_EVERY = timedelta(minutes=1)

CHALLENGE = {"WWW-Authenticate": "Bearer"}
# Where AdminGate leaves the authenticated caller in the ASGI scope.
CALLER_KEY = "genba.caller"

NO_TOKEN = "a bearer token is required"  # noqa: S105 (a message, not a password)
MALFORMED = "malformed bearer token"
# Unknown, ended and revoked read the same, so the answer reveals nothing about a token. The
# hint is for the person whose token was made in another database than the server's.
REFUSED = (
    "invalid, expired or revoked token (a token works only with the database it was created "
    "in: the server's GENBA_DATA_DIR or DATABASE_URL)"
)


class Role(StrEnum):
    """Admin API roles, lowest first."""

    VIEWER = "viewer"
    REVIEWER = "reviewer"
    ADMIN = "admin"


RANK = {Role.VIEWER: 1, Role.REVIEWER: 2, Role.ADMIN: 3}


def rank(role: str) -> int:
    """A role's rank; 0 for a value this version does not know (it reaches nothing)."""
    try:
        return RANK[Role(role)]
    except ValueError:
        return 0


@dataclass(frozen=True)
class Caller:
    """The token behind a request: its id, its name (the audit actor) and its role."""

    token_id: str
    name: str
    role: str

    def reaches(self, role: Role) -> bool:
        """True when this caller's role is `role` or higher."""
        return rank(self.role) >= RANK[role]


def unauthorized(detail: str) -> HTTPException:
    """A 401 carrying the Bearer challenge."""
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers=CHALLENGE)


class Authenticator:
    """Resolves presented tokens to callers, and keeps last_used_at roughly current."""

    def __init__(
        self, db: Database, clock: Callable[[], datetime], touch_every: timedelta = TOUCH_EVERY
    ) -> None:
        self.db = db
        self.clock = clock
        self.touch_every = touch_every

    def caller(self, token: str) -> Caller | None:
        """The live token's caller, or None for an unknown, ended or revoked token."""
        now = self.clock()
        with self.db.read() as session:
            row = tokens.lookup(session, token, now=now)
            if row is None:
                return None
            caller = Caller(token_id=row.id, name=row.name, role=row.role)
            stale = row.last_used_at is None or now - row.last_used_at >= self.touch_every
        if stale:
            self._touch(caller.token_id, now)
        return caller

    def _touch(self, token_id: str, now: datetime) -> None:
        try:
            with self.db.write() as session:
                tokens.touch(session, token_id, now=now)
        except OperationalError:
            # A busy database must not turn a valid request away over bookkeeping.
            log.warning("could not record token use; will retry on a later request")


def presented_token(authorization: str | None) -> tuple[str | None, str | None]:
    """(token, None) for a well-formed bearer token, else (None, why it is refused)."""
    if not authorization:
        return None, NO_TOKEN
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return None, NO_TOKEN  # another scheme (Basic, a LINE signature...)
    if not token:
        return None, NO_TOKEN
    if len(token) > MAX_TOKEN_CHARS or not TOKEN68.match(token):
        return None, MALFORMED
    return token, None


class RoleGuard:
    """The dependency that checks the authenticated caller's role against `role`."""

    def __init__(self, role: Role) -> None:
        self.role = role

    # No `from __future__ import annotations` in this module: FastAPI resolves the annotations
    # of an instance's __call__ without module globals, so they must be real objects. Async,
    # though it awaits nothing: FastAPI would run a plain function in a worker thread.
    async def __call__(
        self,
        request: Request,
        # Read by AdminGate already; declared here so that OpenAPI shows the Bearer scheme.
        _credentials: Annotated[
            HTTPAuthorizationCredentials | None,
            Depends(HTTPBearer(auto_error=False, bearerFormat="opaque")),
        ],
    ) -> Caller:
        caller = request.scope.get(CALLER_KEY)
        if not isinstance(caller, Caller):
            # No gate in front of this route: deny by default.
            raise unauthorized(NO_TOKEN)
        if not caller.reaches(self.role):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, detail=f"this needs the {self.role} role"
            )
        return caller


@dataclass(frozen=True)
class Guards:
    """One guard per role, shared by every admin route."""

    viewer: RoleGuard
    reviewer: RoleGuard
    admin: RoleGuard

    @classmethod
    def build(cls) -> Self:
        """One guard per role."""
        return cls(
            viewer=RoleGuard(Role.VIEWER),
            reviewer=RoleGuard(Role.REVIEWER),
            admin=RoleGuard(Role.ADMIN),
        )


def _guards_in(dependant: Dependant) -> Iterator[RoleGuard]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, RoleGuard):
            yield sub.call
        yield from _guards_in(sub)


def required_role(dependant: Dependant) -> Role | None:
    """The role a route's dependencies demand (the highest, if several), or None."""
    roles = [g.role for g in _guards_in(dependant)]
    return max(roles, key=RANK.__getitem__) if roles else None


AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {
        "model": ErrorRead,
        "description": "No bearer token, a malformed one, or an unknown, expired or revoked one",
    },
    403: {"model": ErrorRead, "description": "The token's role is below the route's required role"},
    429: {
        "model": ErrorRead,
        "description": "Too many failed attempts from this client; wait `Retry-After` seconds",
    },
}


class GuardedRoute(APIRoute):
    """An APIRoute that must declare a role; the role and the docstring go into OpenAPI."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # Before super(): it builds the response models from `responses`.
        kwargs["responses"] = {**AUTH_RESPONSES, **(kwargs.get("responses") or {})}
        super().__init__(path, endpoint, **kwargs)
        role = required_role(self.dependant)
        if role is None:
            raise RuntimeError(f"admin route {path} declares no role (deny by default)")
        doc = inspect.getdoc(endpoint) or ""
        if self.summary is None and doc:
            self.summary = doc.splitlines()[0]
        if self.description == doc:
            self.description = ""  # the one-line docstring is the summary already
        note = f"Requires the `{role}` role or higher."
        self.description = f"{self.description}\n\n{note}".strip()
        self.openapi_extra = {**(self.openapi_extra or {}), "x-required-role": str(role)}
