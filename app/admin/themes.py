"""`/themes`: what the PR team asks workers for; admins create, edit, schedule and retire them."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException

from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.editing import ThemeChange, ThemeCreate
from app.admin.fields import not_found
from app.admin.schemas import ErrorRead, ThemeList, ThemeRead, theme_read
from storage import audit, themes
from storage.db import Database

EDIT_DESCRIPTION = """\
Titles, descriptions ("what to send") and examples per language (ja, ja-x-easy, en, vi, pt-BR, id,
tl, zh-Hans). A theme is offered to workers while `active` and today, in the company's time zone
(GENBA_TIMEZONE), is within `starts_on`..`ends_on` (both inclusive, either may be null); a theme
with `month` is offered in that month only, first, and is the "theme of the month" card.
Retire a theme with `active: false`. Each change is written to the audit log.
"""


# Fields a theme always has: null clears only month, starts_on and ends_on.
NOT_NULL = frozenset(
    {"title", "translations", "description", "descriptions", "examples", "active", "sort_order"}
)


def _values(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for name in ("translations", "descriptions", "examples"):
        if name in out and out[name] is not None:
            out[name] = json.dumps(out[name], ensure_ascii=False)
    for name in ("starts_on", "ends_on"):
        if name in out and out[name] is not None:
            out[name] = out[name].isoformat()
    return out


def create(db: Database, theme: ThemeCreate, *, actor: str, now: datetime) -> None:
    """Store a new theme and audit it (409 when the slug is taken); the API and the pages."""
    values = _values(theme.model_dump(exclude={"slug"}))
    with db.write() as session:
        if not themes.create(session, slug=theme.slug, values=values, now=now):
            raise HTTPException(409, detail=f"a theme {theme.slug!r} exists already")
        audit.record(
            session,
            actor=actor,
            action="theme_create",
            target_type="theme",
            target_id=theme.slug,
            detail={k: str(v) for k, v in values.items()},
            now=now,
        )


def apply_change(
    db: Database, slug: str, change: ThemeChange, *, actor: str, now: datetime
) -> None:
    """Change the fields `change` sets and audit it (404 unknown, 422 an impossible period)."""
    sent = change.model_dump(exclude_unset=True)
    with db.write() as session:
        found = themes.get(session, slug) if len(slug) <= 40 else None
        if found is None:
            raise not_found("theme")
        starts = sent.get("starts_on", found.starts_on)
        ends = sent.get("ends_on", found.ends_on)
        if starts is not None and ends is not None and str(ends) < str(starts):
            raise HTTPException(422, detail="ends_on is before starts_on")
        nulls = sorted(k for k, v in sent.items() if v is None and k in NOT_NULL)
        if nulls:
            raise HTTPException(422, detail=f"{', '.join(nulls)} cannot be null")
        values = _values(sent)
        if values:
            themes.change(session, slug, values=values, now=now)
            audit.record(
                session,
                actor=actor,
                action="theme_change",
                target_type="theme",
                target_id=slug,
                detail={k: str(v) for k, v in values.items()},
                now=now,
            )


def theme_routes(*, db: Database, guards: Guards, clock: Callable[[], datetime]) -> APIRouter:
    """The theme routes."""
    router = APIRouter(route_class=GuardedRoute, tags=["themes"])
    Viewer = Annotated[Caller, Depends(guards.viewer)]
    Admin = Annotated[Caller, Depends(guards.admin)]

    @router.get("/themes")
    def list_themes(_caller: Viewer) -> ThemeList:
        """List every theme in display order."""
        with db.read() as session:
            return ThemeList(items=[theme_read(t) for t in themes.list_all(session)])

    @router.post(
        "/themes",
        status_code=201,
        description=EDIT_DESCRIPTION,
        responses={409: {"model": ErrorRead, "description": "The slug is taken"}},
    )
    def create_theme(caller: Admin, theme: Annotated[ThemeCreate, Body()]) -> ThemeRead:
        """Create a theme."""
        create(db, theme, actor=caller.name, now=clock())
        return _read(theme.slug)

    @router.patch(
        "/themes/{slug}",
        description=EDIT_DESCRIPTION,
        responses={404: {"model": ErrorRead, "description": "No such theme"}},
    )
    def change_theme(caller: Admin, slug: str, change: Annotated[ThemeChange, Body()]) -> ThemeRead:
        """Edit, schedule or retire a theme; only the fields sent change."""
        apply_change(db, slug, change, actor=caller.name, now=clock())
        return _read(slug)

    def _read(slug: str) -> ThemeRead:
        with db.read() as session:
            found = themes.get(session, slug)
            if found is None:
                raise not_found("theme")
            return theme_read(found)

    return router
