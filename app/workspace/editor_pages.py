"""The /admin pages where admins keep what workers read: themes and the photo guideline.

The rules are the admin API's (app/admin/themes.py, app/admin/guideline.py, app/admin/editing.py);
these routes only turn forms into the same request bodies and render the answers.
"""

# No `from __future__ import annotations`: FastAPI resolves the route signatures.

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.admin import guideline as guideline_api
from app.admin import themes as theme_api
from app.admin.auth import Role
from app.admin.editing import LANGUAGES, SLUG, EntryPut, ThemeChange, ThemeCreate
from app.admin.fields import not_found
from app.workspace.rendering import Render, problems_of
from app.workspace.sessions import SessionKeeper, Visitor, form_fields
from storage import guideline, themes
from storage.db import Database
from storage.models import Theme

# The order the forms list languages in: the company's first, then as the catalogues do.
FORM_LANGUAGES = ("ja", "ja-x-easy", "en", "vi", "pt-BR", "id", "tl", "zh-Hans")
AGREEMENTS_SHOWN = 200
assert set(FORM_LANGUAGES) == LANGUAGES


def editor_router(
    *, db: Database, clock: Callable[[], datetime], keeper: SessionKeeper, render: Render
) -> APIRouter:
    """The /admin/themes and /admin/guideline routes."""
    router = APIRouter(include_in_schema=False)

    # --- themes -----------------------------------------------------------------------------

    def themes_page(
        request: Request, visitor: Visitor, status: int = 200, **extra: Any
    ) -> Response:
        with db.read() as session:
            rows = [_theme_row(t) for t in themes.list_all(session)]
        return render(request, "themes.html", visitor, status, themes=rows, **extra)

    def theme_page(
        request: Request, visitor: Visitor, slug: str, status: int = 200, **extra: Any
    ) -> Response:
        with db.read() as session:
            found = themes.get(session, slug) if SLUG.match(slug) else None
        if found is None:
            raise not_found("theme")
        return render(
            request,
            "theme.html",
            visitor,
            status,
            theme=_theme_row(found),
            languages=FORM_LANGUAGES,
            **extra,
        )

    @router.get("/admin/themes")
    async def theme_list(request: Request) -> Response:
        visitor = await keeper.require(request, Role.VIEWER)
        return await run_in_threadpool(themes_page, request, visitor)

    @router.post("/admin/themes")
    async def theme_create(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        body = _optional(fields, ("month", "starts_on", "ends_on"))
        body.update(
            slug=fields.get("slug", "").strip(),
            title=fields.get("title", "").strip(),
            description=fields.get("description", "").strip(),
            examples=_texts_by_language(fields, "example", ("ja",)),
        )
        try:
            theme = ThemeCreate.model_validate(body)
            await run_in_threadpool(theme_api.create, db, theme, actor=visitor.email, now=clock())
        except ValidationError as exc:
            return await run_in_threadpool(
                themes_page, request, visitor, 422, error=problems_of(exc), form=fields
            )
        except HTTPException as exc:
            return await run_in_threadpool(
                themes_page, request, visitor, exc.status_code, error=str(exc.detail), form=fields
            )
        return RedirectResponse(f"/admin/themes/{theme.slug}", status_code=303)

    @router.get("/admin/themes/{slug}")
    async def theme_show(request: Request, slug: str) -> Response:
        visitor = await keeper.require(request, Role.VIEWER)
        return await run_in_threadpool(theme_page, request, visitor, slug)

    @router.post("/admin/themes/{slug}")
    async def theme_change(request: Request, slug: str) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        if fields.get("action") in ("retire", "reactivate"):
            body: dict[str, Any] = {"active": fields["action"] == "reactivate"}
        else:
            others = tuple(x for x in FORM_LANGUAGES if x != "ja")
            body = {
                "title": fields.get("title-ja", "").strip(),
                "translations": _texts_by_language(fields, "title", others),
                "description": fields.get("description-ja", "").strip(),
                "descriptions": _texts_by_language(fields, "description", others),
                "examples": _texts_by_language(fields, "example", FORM_LANGUAGES),
                "month": fields.get("month", "").strip() or None,
                "starts_on": fields.get("starts_on", "").strip() or None,
                "ends_on": fields.get("ends_on", "").strip() or None,
                "sort_order": fields.get("sort_order", "0").strip() or "0",
            }
        try:
            change = ThemeChange.model_validate(body)
            await run_in_threadpool(
                theme_api.apply_change, db, slug, change, actor=visitor.email, now=clock()
            )
        except ValidationError as exc:
            return await run_in_threadpool(
                theme_page, request, visitor, slug, 422, error=problems_of(exc)
            )
        except HTTPException as exc:
            if exc.status_code == 404:
                raise
            return await run_in_threadpool(
                theme_page, request, visitor, slug, exc.status_code, error=str(exc.detail)
            )
        return RedirectResponse(f"/admin/themes/{slug}?saved=1", status_code=303)

    # --- guideline --------------------------------------------------------------------------

    def guideline_page(
        request: Request, visitor: Visitor, status: int = 200, **extra: Any
    ) -> Response:
        with db.read() as session:
            stored = guideline.load(session)
            agreed = guideline_api.agreements_read(session, limit=AGREEMENTS_SHOWN)
        return render(
            request,
            "guideline.html",
            visitor,
            status,
            guide=stored,
            agreed=agreed,
            shown=AGREEMENTS_SHOWN,
            **extra,
        )

    def entry_page(
        request: Request, visitor: Visitor, entry_id: str | None, status: int = 200, **extra: Any
    ) -> Response:
        with db.read() as session:
            stored = guideline.load(session)
        entry = None
        if entry_id is not None:
            entry = next((e for e in stored.entries if e.id == entry_id), None)
            if entry is None:
                raise not_found("guideline entry")
        return render(
            request,
            "guideline_entry.html",
            visitor,
            status,
            guide=stored,
            entry=entry,
            languages=FORM_LANGUAGES,
            **extra,
        )

    @router.get("/admin/guideline")
    async def guideline_show(request: Request) -> Response:
        visitor = await keeper.require(request, Role.VIEWER)
        return await run_in_threadpool(guideline_page, request, visitor)

    @router.get("/admin/guideline/new")
    async def entry_new(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        return await run_in_threadpool(entry_page, request, visitor, None)

    @router.get("/admin/guideline/entries/{entry_id}")
    async def entry_show(request: Request, entry_id: str) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        return await run_in_threadpool(entry_page, request, visitor, entry_id[:41])

    @router.post("/admin/guideline/entries")
    async def entry_save(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        entry_id = fields.get("entry_id", "").strip()
        existing = fields.get("existing") == "1"
        texts = {}
        for language in FORM_LANGUAGES:
            title = fields.get(f"title-{language}", "").strip()
            body = fields.get(f"body-{language}", "").strip()
            keywords = [k.strip() for k in fields.get(f"keywords-{language}", "").split(",")]
            if title or body or any(keywords):
                texts[language] = {
                    "title": title,
                    "body": body,
                    "keywords": [k for k in keywords if k],
                }
        try:
            if not SLUG.match(entry_id):
                raise HTTPException(
                    422,
                    detail="the entry id is 1-40 of a-z, 0-9 and '-' (for example 'name-badges')",
                )
            entry = EntryPut.model_validate(
                {
                    "category": fields.get("category", ""),
                    "texts": texts,
                    "sort_order": fields.get("sort_order", "").strip() or None,
                }
            )
            if not existing and await run_in_threadpool(_entry_exists, db, entry_id):
                raise HTTPException(409, detail=f"an entry {entry_id!r} exists already")
            await run_in_threadpool(
                guideline_api.save_entry, db, entry_id, entry, actor=visitor.email, now=clock()
            )
        except ValidationError as exc:
            return await run_in_threadpool(
                entry_page, request, visitor, None, 422, error=problems_of(exc), form=fields
            )
        except HTTPException as exc:
            return await run_in_threadpool(
                entry_page,
                request,
                visitor,
                None,
                exc.status_code,
                error=str(exc.detail),
                form=fields,
            )
        return RedirectResponse("/admin/guideline?saved=1", status_code=303)

    @router.post("/admin/guideline/entries/{entry_id}/delete")
    async def entry_delete(request: Request, entry_id: str) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        await form_fields(request, visitor.csrf_token)
        await run_in_threadpool(
            guideline_api.remove_entry, db, entry_id, actor=visitor.email, now=clock()
        )
        return RedirectResponse("/admin/guideline?saved=1", status_code=303)

    return router


def _entry_exists(db: Database, entry_id: str) -> bool:
    with db.read() as session:
        return guideline.get_entry(session, entry_id) is not None


def _optional(fields: dict[str, str], names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields that were filled in (an empty input means "not set")."""
    return {n: fields[n].strip() for n in names if fields.get(n, "").strip()}


def _texts_by_language(
    fields: dict[str, str], prefix: str, languages: tuple[str, ...]
) -> dict[str, str]:
    """`prefix-<language>` inputs that were filled in, by language."""
    found = {x: fields.get(f"{prefix}-{x}", "").strip() for x in languages}
    return {x: text for x, text in found.items() if text}


def _theme_row(theme: Theme) -> dict[str, Any]:
    return {
        "slug": theme.slug,
        "title": theme.title,
        "translations": json.loads(theme.translations or "{}"),
        "description": theme.description,
        "descriptions": json.loads(theme.descriptions or "{}"),
        "examples": json.loads(theme.examples or "{}"),
        "month": theme.month,
        "starts_on": theme.starts_on,
        "ends_on": theme.ends_on,
        "active": theme.active,
        "sort_order": theme.sort_order,
    }
