"""`/guideline`: the photo guideline workers read in LINE; admins edit it, which bumps its version.

A new version makes the bot ask each worker, once, at their next message, to agree again.
"""

# No `from __future__ import annotations`: see app/admin/submissions.py.

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException
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


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorRead, "description": "No such entry"}
}


def guideline_routes(*, db: Database, guards: Guards, clock: Callable[[], datetime]) -> APIRouter:
    """The guideline routes."""
    router = APIRouter(route_class=GuardedRoute, tags=["guideline"])
    Viewer = Annotated[Caller, Depends(guards.viewer)]
    Admin = Annotated[Caller, Depends(guards.admin)]

    def _changed(session: Session, caller: Caller, action: str, target: str, now: datetime) -> None:
        version = guideline.bump(session, now=now)
        audit.record(
            session,
            actor=caller.name,
            action=action,
            target_type="guideline",
            target_id=target,
            detail={"version": version},
            now=now,
        )

    @router.get("/guideline")
    def get_guideline(_caller: Viewer) -> GuidelineRead:
        """The guideline: categories and entries in every language, and its version."""
        with db.read() as session:
            return _read(session)

    @router.put("/guideline/entries/{entry_id}", responses=NOT_FOUND)
    def put_entry(
        caller: Admin, entry_id: Slug, entry: Annotated[EntryPut, Body()]
    ) -> GuidelineRead:
        """Create or replace an entry (Japanese required); the version goes up by one."""
        now = clock()
        texts = {
            k: guideline.Texts(v.title, v.body, tuple(v.keywords)) for k, v in entry.texts.items()
        }
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
            _changed(session, caller, "guideline_entry", entry_id, now)
        with db.read() as session:
            return _read(session)

    @router.delete("/guideline/entries/{entry_id}", responses=NOT_FOUND)
    def delete_entry(caller: Admin, entry_id: str) -> GuidelineRead:
        """Remove an entry; the version goes up by one."""
        now = clock()
        with db.write() as session:
            if len(entry_id) > 40 or not guideline.delete_entry(session, entry_id):
                raise not_found("guideline entry")
            _changed(session, caller, "guideline_entry_delete", entry_id, now)
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
            _changed(session, caller, "guideline_category", slug, now)
        with db.read() as session:
            return _read(session)

    return router
