"""`/sites`: the stores and factories workers pick from. An admin keeps the list; every change is
audited. A site is retired, never deleted: submissions keep the name they were sent under, and a
worker who had it is asked again kindly the next time they write."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.fields import SafeText, UtcTime, not_found, plausible_id
from app.admin.schemas import ErrorRead
from storage import sites
from storage.db import Database
from storage.models import Site

NOT_FOUND = {"model": ErrorRead, "description": "No site has this id"}


class SiteRead(BaseModel):
    """A site as listed."""

    id: str
    name: str
    created_at: UtcTime
    retired_at: UtcTime | None = Field(description="null: workers can pick it")


class SiteList(BaseModel):
    """Sites by name."""

    items: list[SiteRead]


class SiteWrite(BaseModel):
    """A site's name, as workers see it on a button (keep it short: LINE shows 20 characters)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[SafeText, Field(min_length=1, max_length=sites.MAX_NAME)]


def site_read(row: Site) -> SiteRead:
    """The API view of a site."""
    return SiteRead(id=row.id, name=row.name, created_at=row.created_at, retired_at=row.retired_at)


def site_routes(*, db: Database, guards: Guards, clock: Callable[[], datetime]) -> APIRouter:
    """The site routes (admin only)."""
    router = APIRouter(route_class=GuardedRoute, tags=["sites"])
    Admin = Annotated[Caller, Depends(guards.admin)]

    def _one(site_id: str) -> SiteRead:
        with db.read() as session:
            row = sites.get(session, site_id)
            if row is None:
                raise not_found("site")
            return site_read(row)

    @router.get("/sites")
    def list_sites(
        _caller: Admin,
        retired: Annotated[bool, Query(description="include retired sites")] = False,
    ) -> SiteList:
        """List the sites by name; retired ones only with `retired=true`."""
        with db.read() as session:
            return SiteList(items=[site_read(s) for s in sites.list_all(session, retired=retired)])

    @router.post("/sites", status_code=201)
    def create_site(caller: Admin, new: Annotated[SiteWrite, Body()]) -> SiteRead:
        """Add a site workers can pick."""
        with db.write() as session:
            made = sites.create(session, name=new.name.strip(), actor=caller.name, now=clock())
            site_id = made.id
        return _one(site_id)

    @router.patch("/sites/{site_id}", responses={404: NOT_FOUND})
    def rename_site(caller: Admin, site_id: str, change: Annotated[SiteWrite, Body()]) -> SiteRead:
        """Rename a site; submissions already sent keep the old name."""
        if not plausible_id(site_id):
            raise not_found("site")
        with db.write() as session:
            name = change.name.strip()
            if not sites.rename(session, site_id, name=name, actor=caller.name, now=clock()):
                raise not_found("site")
        return _one(site_id)

    @router.delete("/sites/{site_id}", responses={404: NOT_FOUND})
    def retire_site(caller: Admin, site_id: str) -> SiteRead:
        """Retire a site: no longer offered; retiring it again changes nothing."""
        if not plausible_id(site_id):
            raise not_found("site")
        with db.write() as session:
            if not sites.retire(session, site_id, actor=caller.name, now=clock()):
                raise not_found("site")
        return _one(site_id)

    return router
