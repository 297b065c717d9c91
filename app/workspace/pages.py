"""The /admin pages: sign-in and out, the gallery, one item, and its review.

Every rule comes from the services the admin API uses (app/admin/review.py, app/admin/media.py,
app/workspace/accounts.py); these functions only read forms and render templates.
"""

# No `from __future__ import annotations`: FastAPI resolves the route signatures.

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.admin import face_checks, review
from app.admin.auth import Role
from app.admin.fields import (
    FACE_FILTERS,
    LISTED_STATUSES,
    VariantName,
    not_found,
    plausible_id,
)
from app.admin.media import (
    MAX_REASON_CHARS,
    Download,
    download_name,
    downloadable,
    needs_override,
    open_blob,
    record_override,
)
from app.admin.schemas import ReviewChange
from app.admin.throttle import FailureThrottle, client_key
from app.pushes.feedback import Feedback
from app.pushes.status import budget
from app.workspace import accounts
from app.workspace.rendering import problems_of, renderer
from app.workspace.sessions import (
    COOKIE,
    IDLE,
    LIFETIME,
    SIGN_IN,
    SIGN_IN_COOKIE,
    SessionKeeper,
    Visitor,
    form_fields,
    new_sign_in_token,
    set_cookie,
)
from app.workspace.views import card_of, entry_of, filters_of, page_limit, photo_of, query_of
from storage import audit, people, sites, submissions, themes
from storage.blobs import BlobStore
from storage.db import Database

TEMPLATE_DIR = Path(__file__).parent / "templates"
ACTIONS = {"approve": "approved", "reject": "rejected", "publish": "published"}
EXAMPLE_ACTIONS = {"example": True, "not-example": False}


def workspace_router(
    *,
    db: Database,
    blobs: BlobStore,
    clock: Callable[[], datetime],
    keeper: SessionKeeper,
    throttle: FailureThrottle,
    templates: Jinja2Templates,
    feedback: Feedback | None = None,
) -> APIRouter:
    """The /admin page routes."""
    router = APIRouter(include_in_schema=False)

    render = renderer(templates)

    # Database work runs in worker threads: the event loop must not wait on it.

    def close_session(cookie: str) -> None:
        with db.write() as session:
            people.close_session(session, cookie)

    def counts_and_choices(
        wanted: submissions.SubmissionFilter,
    ) -> tuple[dict[str, int], list[tuple[str, str]], list[tuple[str, str]]]:
        with db.read() as session:
            counts = submissions.count_by_status(session, wanted)
            theme_rows = [(t.slug, t.title) for t in themes.list_all(session)]
            site_rows = [(x.id, x.name) for x in sites.list_all(session, retired=True)]
            return counts, theme_rows, site_rows

    def find_media(media_id: str, name: VariantName) -> Download | None:
        with db.read() as session:
            return downloadable(session, media_id, name)

    # --- sign-in --------------------------------------------------------------------------

    def sign_in_page(request: Request, problem: str | None = None, status: int = 200) -> Response:
        token = new_sign_in_token()
        page = render(request, "sign_in.html", None, status, csrf_token=token, problem=problem)
        set_cookie(page, request, SIGN_IN_COOKIE, token, max_age=3600)
        return page

    @router.get("/admin/sign-in")
    def sign_in_form(request: Request) -> Response:
        return sign_in_page(request)

    @router.post("/admin/sign-in")
    async def sign_in(request: Request) -> Response:
        client = client_key(request.client.host if request.client else None)
        wait = throttle.wait_seconds(client)
        if wait:
            page = sign_in_page(request, f"too many failed attempts: wait {wait} s", 429)
            page.headers["Retry-After"] = str(wait)
            return page
        fields = await form_fields(request, request.cookies.get(SIGN_IN_COOKIE))
        result = await run_in_threadpool(
            accounts.sign_in,
            db,
            email=fields.get("email", ""),
            password=fields.get("password", ""),
            now=clock(),
            lifetime=LIFETIME,
            idle=IDLE,
        )
        if result.session is None:
            throttle.failed(client)
            return sign_in_page(request, result.problem, 401)
        old = request.cookies.get(COOKIE)
        if old:
            # Whatever session id the browser came with is dropped: a new one was made above.
            await run_in_threadpool(close_session, old)
        answer = RedirectResponse("/admin", status_code=303)
        set_cookie(answer, request, COOKIE, result.session.cookie, int(LIFETIME.total_seconds()))
        answer.delete_cookie(SIGN_IN_COOKIE, path="/admin")
        return answer

    @router.post("/admin/sign-out")
    async def sign_out(request: Request) -> Response:
        visitor = await keeper.require(request, Role.VIEWER)
        await form_fields(request, visitor.csrf_token)
        await run_in_threadpool(close_session, request.cookies.get(COOKIE, ""))
        answer = RedirectResponse(SIGN_IN, status_code=303)
        answer.delete_cookie(COOKIE, path="/admin")
        return answer

    # --- gallery ----------------------------------------------------------------------------

    @router.get("/admin")
    async def gallery(request: Request) -> Response:
        visitor = await keeper.require(request, Role.VIEWER)
        wanted, chosen, problems = filters_of(request)
        limit = page_limit(request.query_params.get("limit"))
        cursor = request.query_params.get("cursor") or None
        if cursor is not None and len(cursor) > 200:
            cursor, problems = None, [*problems, "the page link was damaged: back to page one"]
        try:
            records, next_cursor = await run_in_threadpool(
                review.list_page, db, wanted, limit=limit, cursor=cursor
            )
        except RequestValidationError:  # a cursor this service did not make
            records, next_cursor = await run_in_threadpool(
                review.list_page, db, wanted, limit=limit, cursor=None
            )
            problems.append("the page link was damaged: back to page one")
        counts, theme_rows, site_rows = await run_in_threadpool(counts_and_choices, wanted)
        pushed = None
        if feedback is not None:
            pushed = await run_in_threadpool(budget, db, feedback.policy, now=clock())
        more = dict(chosen, limit=str(limit), cursor=next_cursor) if next_cursor else None
        return render(
            request,
            "gallery.html",
            visitor,
            items=[card_of(r) for r in records],
            chosen=chosen,
            problems=problems,
            counts=counts,
            total=sum(counts.values()),
            statuses=list(LISTED_STATUSES),
            faces=list(FACE_FILTERS),
            themes=theme_rows,
            sites=site_rows,
            next_query=query_of(more) if more else None,
            export_query=query_of({k: v for k, v in chosen.items() if k != "status"}),
            pushed=pushed,
        )

    # --- one item ---------------------------------------------------------------------------

    def item_page(
        request: Request, visitor: Visitor, submission_id: str, status: int = 200, **extra: Any
    ) -> Response:
        if not plausible_id(submission_id):
            raise not_found("submission")
        with db.read() as session:
            record = submissions.get(session, submission_id)
            if record is None:
                raise not_found("submission")
            trail = audit.for_target(session, "submission", submission_id)
            for m in record.media:
                trail += audit.for_target(session, "media", m.media.id)
        trail.sort(key=lambda e: (e.at, e.id or 0))
        entries = [entry_of(e) for e in trail]
        history = [
            e for e in entries if e["action"] in ("review", "withdraw") and e["detail"].get("from")
        ]
        return render(
            request,
            "item.html",
            visitor,
            status,
            item=card_of(record),
            photos=[photo_of(record, m) for m in record.media],
            history=history,
            trail=entries,
            can_review=visitor.reaches(Role.REVIEWER),
            **extra,
        )

    @router.get("/admin/items/{submission_id}")
    async def item(request: Request, submission_id: str) -> Response:
        visitor = await keeper.require(request, Role.VIEWER)
        return await run_in_threadpool(item_page, request, visitor, submission_id)

    @router.post("/admin/items/{submission_id}/review")
    async def review_item(request: Request, submission_id: str) -> Response:
        visitor = await keeper.require(request, Role.REVIEWER)
        fields = await form_fields(request, visitor.csrf_token)
        action = fields.get("action", "")
        wanted: dict[str, str | bool]
        if action in EXAMPLE_ACTIONS:
            wanted = {"example": EXAMPLE_ACTIONS[action]}
        elif action in ACTIONS:
            wanted = {"status": ACTIONS[action]}
        else:
            raise HTTPException(422, detail="choose approve, reject, publish or an example choice")
        for name in ("note", "platform", "url", "thanks"):
            if fields.get(name, "").strip():
                wanted[name] = fields[name].strip()
        if wanted.get("status") == "rejected" and "note" not in wanted:
            return await run_in_threadpool(
                item_page, request, visitor, submission_id, 422, error="give a reason to reject"
            )
        try:
            change = ReviewChange.model_validate(wanted)
            await run_in_threadpool(
                review.review,
                db,
                submission_id,
                change,
                actor=visitor.email,
                clock=clock,
                feedback=feedback,
            )
        except ValidationError as exc:
            problem = problems_of(exc)
            return await run_in_threadpool(
                item_page, request, visitor, submission_id, 422, error=problem
            )
        except HTTPException as exc:
            if exc.status_code == 404:
                raise
            return await run_in_threadpool(
                item_page, request, visitor, submission_id, exc.status_code, error=str(exc.detail)
            )
        return RedirectResponse(f"/admin/items/{submission_id}", status_code=303)

    @router.post("/admin/items/{submission_id}/media/{media_id}/check")
    async def confirm_check(request: Request, submission_id: str, media_id: str) -> Response:
        visitor = await keeper.require(request, Role.REVIEWER)
        await form_fields(request, visitor.csrf_token)
        try:
            record = await run_in_threadpool(
                face_checks.confirm_blur, db, media_id, actor=visitor.email, clock=clock
            )
        except HTTPException as exc:
            if exc.status_code == 404:
                raise
            return await run_in_threadpool(
                item_page, request, visitor, submission_id, exc.status_code, error=str(exc.detail)
            )
        return RedirectResponse(f"/admin/items/{record.submission.id}", status_code=303)

    # --- images -----------------------------------------------------------------------------

    async def shown_media(media_id: str, variant: str) -> tuple[Download, VariantName]:
        """The stored variant a path names (404 for anything that is not one)."""
        try:
            name = VariantName(variant)
        except ValueError:
            raise not_found("media variant") from None
        if not plausible_id(media_id):
            raise not_found("media")
        found = await run_in_threadpool(find_media, media_id, name)
        if found is None:
            raise not_found("media variant")
        return found, name

    @router.get("/admin/media/{media_id}/{variant}")
    async def image(request: Request, media_id: str, variant: str) -> Response:
        await keeper.require(request, Role.VIEWER)
        found, name = await shown_media(media_id, variant)
        if needs_override(found, name):
            # The pages never show an unblurred image of a blur submission inline; an admin who
            # must see one gives a reason (image_override below, audited).
            raise HTTPException(403, detail="this photo is shown only blurred")
        blob = await run_in_threadpool(open_blob, blobs, found.variant.storage_key)
        return StreamingResponse(
            blob.chunks(),
            media_type=found.variant.content_type,
            headers={
                "Content-Length": str(blob.size),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    @router.post("/admin/media/{media_id}/{variant}/override")
    async def image_override(request: Request, media_id: str, variant: str) -> Response:
        # The one way the pages hand out an unblurred image of a blurred-only photo: an admin,
        # a reason, an audit entry (the API's rule: app/admin/media.py), as a download.
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        reason = " ".join(fields.get("reason", "").split())[:MAX_REASON_CHARS]
        found, name = await shown_media(media_id, variant)
        if not reason:
            raise HTTPException(422, detail="say why you need the unblurred photo")
        blob = await run_in_threadpool(open_blob, blobs, found.variant.storage_key)
        if needs_override(found, name):
            try:
                await run_in_threadpool(
                    record_override,
                    db,
                    found,
                    name,
                    actor=visitor.email,
                    reason=reason,
                    token_id=None,
                    now=clock(),
                )
            except BaseException:
                blob.close()
                raise
        return StreamingResponse(
            blob.chunks(),
            media_type=found.variant.content_type,
            headers={
                "Content-Length": str(blob.size),
                "Content-Disposition": f'attachment; filename="{download_name(found, name)}"',
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store",
            },
        )

    # --- people (admins) ------------------------------------------------------------------

    def people_page(
        request: Request, visitor: Visitor, status: int = 200, **extra: Any
    ) -> Response:
        with db.read() as session:
            everyone = people.list_all(session)
        return render(
            request, "people.html", visitor, status, people=everyone, roles=accounts.ROLES, **extra
        )

    @router.get("/admin/people")
    async def people_list(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        return await run_in_threadpool(people_page, request, visitor)

    @router.post("/admin/people")
    async def people_create(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        try:
            await run_in_threadpool(
                accounts.create_person,
                db,
                email=fields.get("email", ""),
                role=fields.get("role", ""),
                password=fields.get("password", ""),
                actor=visitor.email,
                now=clock(),
            )
        except accounts.AccountError as exc:
            return await run_in_threadpool(people_page, request, visitor, 422, error=str(exc))
        return RedirectResponse("/admin/people", status_code=303)

    @router.post("/admin/people/{person_id}")
    async def people_change(request: Request, person_id: str) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        if not plausible_id(person_id):
            raise not_found("person")
        disabled = {"disable": True, "enable": False}.get(fields.get("account", ""))
        try:
            await run_in_threadpool(
                accounts.update_person,
                db,
                person_id,
                role=fields.get("role") or None,
                disabled=disabled,
                actor=visitor.email,
                now=clock(),
            )
        except accounts.AccountError as exc:
            return await run_in_threadpool(people_page, request, visitor, 422, error=str(exc))
        return RedirectResponse("/admin/people", status_code=303)

    return router
