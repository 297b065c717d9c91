"""`/guideline`: the photo guideline workers read in LINE; admins edit it, which bumps its version.

A new version makes the bot ask each worker, once, at their next message, to agree again.
"""

# No `from __future__ import annotations`: see app/admin/submissions.py.

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.editing import CategoryPut, EntryPut, Slug
from app.admin.fields import not_found
from app.admin.schemas import ErrorRead
from storage import audit, guideline
from storage.db import Database


class EntryTextsRead(BaseModel):
    """One entry's words in one language."""

    title: str
    body: str
    keywords: list[str]


class EntryRead(BaseModel):
    """A guideline entry in every language it has."""

    id: str
    category: str
    sort_order: int
    texts: dict[str, EntryTextsRead]


class CategoryRead(BaseModel):
    """A guideline category with its title per language."""

    slug: str
    sort_order: int
    titles: dict[str, str]


class GuidelineRead(BaseModel):
    """The whole guideline and its version (every edit adds one)."""

    version: int = Field(description="Workers are asked to agree again when this changes")
    categories: list[CategoryRead]
    entries: list[EntryRead]


def _read(session: Session) -> GuidelineRead:
    stored = guideline.load(session)
    return GuidelineRead(
        version=stored.version,
        categories=[
            CategoryRead(slug=c.slug, sort_order=c.sort_order, titles=c.titles)
            for c in stored.categories
        ],
        entries=[
            EntryRead(
                id=e.id,
                category=e.category,
                sort_order=e.sort_order,
                texts={
                    k: EntryTextsRead(title=t.title, body=t.body, keywords=list(t.keywords))
                    for k, t in e.texts.items()
                },
            )
            for e in stored.entries
        ],
    )


class VersionCount(BaseModel):
    """How many workers (who follow the bot) agreed to one version; null: not yet."""

    version: int | None
    workers: int


class AgreementRead(BaseModel):
    """One worker's agreement (our contributor id, never the LINE user id)."""

    contributor: str
    name: str | None
    version: int | None
    agreed_at: datetime | None


class AgreementsRead(BaseModel):
    """Who agreed to which version of the guideline."""

    version: int = Field(description="The current version")
    by_version: list[VersionCount]
    workers: list[AgreementRead] = Field(description="Latest agreements first, at most `limit`")


def agreements_read(session: Session, *, limit: int) -> AgreementsRead:
    """The agreement overview the API and the guideline page show."""
    counts = guideline.agreement_counts(session)
    return AgreementsRead(
        version=guideline.version(session),
        by_version=[
            VersionCount(version=v, workers=n)
            for v, n in sorted(counts.items(), key=lambda kv: -1 if kv[0] is None else kv[0])
        ],
        workers=[
            AgreementRead(
                contributor=a.contributor_id,
                name=a.display_name,
                version=a.version,
                agreed_at=a.agreed_at,
            )
            for a in guideline.agreements(session, limit=limit)
        ],
    )


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "No such entry"}
}


def _changed(session: Session, actor: str, action: str, target: str, now: datetime) -> None:
    version = guideline.bump(session, now=now)
    audit.record(
        session,
        actor=actor,
        action=action,
        target_type="guideline",
        target_id=target,
        detail={"version": version},
        now=now,
    )


def save_entry(db: Database, entry_id: str, entry: EntryPut, *, actor: str, now: datetime) -> None:
    """Create or replace an entry, bump the version, audit it; the API and the pages."""
    texts = {k: guideline.Texts(v.title, v.body, tuple(v.keywords)) for k, v in entry.texts.items()}
    with db.write() as session:
        if not guideline.category_exists(session, entry.category):
            raise HTTPException(422, detail=f"no category {entry.category!r}")
        guideline.put_entry(
            session,
            entry_id=entry_id,
            category=entry.category,
            texts=texts,
            sort_order=entry.sort_order,
            now=now,
        )
        _changed(session, actor, "guideline_entry", entry_id, now)


def remove_entry(db: Database, entry_id: str, *, actor: str, now: datetime) -> None:
    """Delete an entry (404 if there is none), bump the version, audit it."""
    with db.write() as session:
        if len(entry_id) > 40 or not guideline.delete_entry(session, entry_id):
            raise not_found("guideline entry")
        _changed(session, actor, "guideline_entry_delete", entry_id, now)


def guideline_routes(*, db: Database, guards: Guards, clock: Callable[[], datetime]) -> APIRouter:
    """The guideline routes."""
    router = APIRouter(route_class=GuardedRoute, tags=["guideline"])
    Viewer = Annotated[Caller, Depends(guards.viewer)]
    Admin = Annotated[Caller, Depends(guards.admin)]

    @router.get("/guideline")
    def get_guideline(_caller: Viewer) -> GuidelineRead:
        """The guideline: categories and entries in every language, and its version."""
        with db.read() as session:
            return _read(session)

    @router.get("/guideline/agreements")
    def get_agreements(
        _caller: Viewer, limit: Annotated[int, Query(ge=1, le=500)] = 100
    ) -> AgreementsRead:
        """Who agreed to which guideline version (workers who follow the bot)."""
        with db.read() as session:
            return agreements_read(session, limit=limit)

    @router.put("/guideline/entries/{entry_id}", responses=NOT_FOUND)
    def put_entry(
        caller: Admin, entry_id: Slug, entry: Annotated[EntryPut, Body()]
    ) -> GuidelineRead:
        """Create or replace an entry (Japanese required); the version goes up by one."""
        save_entry(db, entry_id, entry, actor=caller.name, now=clock())
        with db.read() as session:
            return _read(session)

    @router.delete("/guideline/entries/{entry_id}", responses=NOT_FOUND)
    def delete_entry(caller: Admin, entry_id: str) -> GuidelineRead:
        """Remove an entry; the version goes up by one."""
        remove_entry(db, entry_id, actor=caller.name, now=clock())
        with db.read() as session:
            return _read(session)

    @router.put("/guideline/categories/{slug}")
    def put_category(
        caller: Admin, slug: Slug, category: Annotated[CategoryPut, Body()]
    ) -> GuidelineRead:
        """Create or rename a category; the version goes up by one."""
        now = clock()
        with db.write() as session:
            guideline.put_category(
                session, slug=slug, titles=category.titles, sort_order=category.sort_order
            )
            _changed(session, caller.name, "guideline_category", slug, now)
        with db.read() as session:
            return _read(session)

    return router
