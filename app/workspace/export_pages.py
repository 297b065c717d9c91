"""The /admin/export page: pick approved items (or take a filter) and download them as a ZIP.

The archive comes from the same service as `POST /api/v1/exports` (app/admin/exports.py);
this module only reads the form. Exports need the reviewer role, as in the API.
"""

# No `from __future__ import annotations`: FastAPI resolves the route signatures.

import hmac
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from app.admin import exports
from app.admin.auth import Role
from app.admin.export_api import zip_response
from app.admin.fields import FACE_FILTERS
from app.workspace.rendering import render_page
from app.workspace.sessions import SessionKeeper, Visitor
from app.workspace.views import card_of, filters_of, query_of
from storage import submissions, themes
from storage.blobs import BlobStore
from storage.db import Database

LISTED = 200  # items the page lists; "all matching" takes up to exports.MAX_ITEMS
EXPORT_STATUSES = ("approved", "published")


def export_router(
    *,
    db: Database,
    blobs: BlobStore,
    clock: Callable[[], datetime],
    keeper: SessionKeeper,
    templates: Jinja2Templates,
) -> APIRouter:
    """The export page and its download."""
    router = APIRouter(include_in_schema=False)

    def page(request: Request, visitor: Visitor, status: int = 200, **extra: Any) -> Response:
        wanted, chosen, problems = filters_of(request)
        if wanted.status is not None and wanted.status not in exports.EXPORTABLE:
            problems.append("only approved and published items can be exported")
        ids = exports.choose(db, wanted=wanted, limit=LISTED).ids
        with db.read() as session:
            records = [r for r in (submissions.get(session, i) for i in ids) if r is not None]
            theme_rows = [(t.slug, t.title) for t in themes.list_all(session)]
        return render_page(
            templates,
            request,
            "export.html",
            visitor,
            status,
            items=[card_of(r) for r in records],
            chosen=chosen,
            problems=problems,
            statuses=EXPORT_STATUSES,
            faces=list(FACE_FILTERS),
            themes=theme_rows,
            theme_titles=dict(theme_rows),
            query=query_of(chosen),
            listed=LISTED,
            most=exports.MAX_ITEMS,
            **extra,
        )

    @router.get("/admin/export")
    async def export_page(request: Request) -> Response:
        visitor = await keeper.require(request, Role.REVIEWER)
        return await run_in_threadpool(page, request, visitor)

    @router.post("/admin/export")
    async def export_download(request: Request) -> Response:
        visitor = await keeper.require(request, Role.REVIEWER)
        fields = await _selection_form(request, visitor.csrf_token)
        scope = (fields.get("scope") or ["selected"])[-1]
        if scope == "all":
            wanted, _, _ = filters_of(request)
            chosen = await run_in_threadpool(exports.choose, db, wanted=wanted)
        else:
            ids = fields.get("id", [])
            if not ids:
                return await run_in_threadpool(
                    page, request, visitor, 422, error="tick at least one item to export"
                )
            if len(ids) > exports.MAX_ITEMS:
                return await run_in_threadpool(
                    page,
                    request,
                    visitor,
                    422,
                    error=f"at most {exports.MAX_ITEMS} items in one export",
                )
            chosen = await run_in_threadpool(exports.choose, db, ids=ids)
        if not chosen.ids:
            return await run_in_threadpool(
                page, request, visitor, 404, error="nothing exportable in this selection"
            )
        return await run_in_threadpool(
            zip_response, db, blobs, chosen, actor=visitor.email, clock=clock
        )

    return router


async def _selection_form(request: Request, expected_csrf: str) -> dict[str, list[str]]:
    """The form, with repeated `id` fields kept, refused with 403 without the session's token."""
    body = (await request.body()).decode("utf-8", errors="replace")
    try:
        pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=exports.MAX_ITEMS + 20)
    except ValueError:
        raise HTTPException(400, detail="too many form fields") from None
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    given = (fields.pop("csrf_token", None) or [""])[-1]
    if not hmac.compare_digest(given.encode(), expected_csrf.encode()):
        raise HTTPException(403, detail="the form has expired: reload the page and try again")
    return fields
