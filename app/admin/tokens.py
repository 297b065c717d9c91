"""`/tokens`: an admin lists, creates and revokes API tokens. A token's secret is shown once."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.admin.auth import Caller, GuardedRoute, Guards, Role
from app.admin.fields import UtcTime, not_found, plausible_id
from app.admin.schemas import ErrorRead
from storage import audit, tokens
from storage.db import Database
from storage.models import ApiToken

NOT_FOUND = {"model": ErrorRead, "description": "No token has this id"}


def _name(value: str) -> str:
    return tokens.clean_name(value)  # its ValueError becomes a 422 naming the field


class TokenRead(BaseModel):
    """A token as listed: never its secret, nor the secret's hash."""

    id: str
    name: str
    role: str
    status: tokens.TokenState
    created_at: UtcTime
    expires_at: UtcTime | None = Field(description="null: works until revoked")
    last_used_at: UtcTime | None = Field(description="Kept to the minute")
    revoked_at: UtcTime | None


class TokenList(BaseModel):
    """Every token, revoked and expired ones included, oldest first."""

    items: list[TokenRead]


class TokenCreate(BaseModel):
    """A new token: who or what it is for, its role, and optionally its end."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, AfterValidator(_name)] = Field(
        min_length=1, max_length=tokens.MAX_NAME_CHARS, description="Who or what it is for"
    )
    role: Role
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=tokens.MAX_DAYS,
        description="It stops working this many days from now; omitted or null: never",
    )


class TokenCreated(TokenRead):
    """The new token, with its secret: shown this once, never again."""

    token: str = Field(description="The bearer token itself; keep it secret")


def token_read(row: ApiToken, now: datetime) -> TokenRead:
    """The API view of a token row."""
    return TokenRead(
        id=row.id,
        name=row.name,
        role=row.role,
        status=tokens.state(row, now),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


def token_routes(*, db: Database, guards: Guards, clock: Callable[[], datetime]) -> APIRouter:
    """The token routes (admin only)."""
    router = APIRouter(route_class=GuardedRoute, tags=["tokens"])
    Admin = Annotated[Caller, Depends(guards.admin)]

    @router.get("/tokens")
    def list_tokens(_caller: Admin) -> TokenList:
        """List every token: name, role, status, created, expires, last used, revoked."""
        now = clock()
        with db.read() as session:
            return TokenList(items=[token_read(t, now) for t in tokens.list_all(session)])

    @router.post("/tokens", status_code=201)
    def create_token(
        caller: Admin, new: Annotated[TokenCreate, Body()], response: Response
    ) -> TokenCreated:
        """Create a token; the answer holds its secret, shown this once only."""
        now = clock()
        ends = None if new.expires_in_days is None else now + timedelta(days=new.expires_in_days)
        with db.write() as session:
            made = tokens.issue(session, name=new.name, role=new.role, now=now, expires_at=ends)
            audit.record(
                session,
                actor=caller.name,
                action="create_token",
                target_type="api_token",
                target_id=made.id,
                detail={"name": new.name, "role": str(new.role), "token_id": caller.token_id},
                now=now,
            )
            row = tokens.get(session, made.id)
            assert row is not None
            listed = token_read(row, now)
        response.headers["Cache-Control"] = "no-store"
        return TokenCreated(**dict(listed), token=made.secret)

    @router.delete("/tokens/{token_id}", responses={404: NOT_FOUND})
    def revoke_token(caller: Admin, token_id: str) -> TokenRead:
        """Revoke a token: it stops working at once. Revoking it again changes nothing."""
        if not plausible_id(token_id):
            raise not_found("token")
        now = clock()
        with db.write() as session:
            if tokens.get(session, token_id) is None:
                raise not_found("token")
            if tokens.revoke(session, token_id, now=now):
                audit.record(
                    session,
                    actor=caller.name,
                    action="revoke_token",
                    target_type="api_token",
                    target_id=token_id,
                    detail={"token_id": caller.token_id},
                    now=now,
                )
        with db.read() as session:  # a fresh read: the revoke went through Core
            row = tokens.get(session, token_id)
            if row is None:
                raise not_found("token")
            return token_read(row, now)

    return router
