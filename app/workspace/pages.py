"""The /admin pages: sign-in and out, the gallery, one item, its review, and people.

Every rule comes from the services the admin API uses (app/admin/review.py,
app/workspace/accounts.py); these functions only read forms and render templates. A photo's
face check and images are in media_pages.py.
"""

# No `from __future__ import annotations`: FastAPI resolves the route signatures.

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.admin import review
from app.admin.auth import Role
from app.admin.fields import FACE_FILTERS, LISTED_STATUSES, not_found, plausible_id
from app.admin.schemas import ReviewChange
from app.admin.throttle import FailureThrottle, client_key
from app.pushes.feedback import Feedback, rejection_key
from app.pushes.status import budget
from app.workspace import accounts, flash
from app.workspace.rendering import Render, problems_of, renderer
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
from storage import audit, people, pushes, sites, submissions, themes
from storage.db import Database

TEMPLATE_DIR = Path(__file__).parent / "templates"
ACTIONS = {
    "approve": "approved",
    "reject": "rejected",
    "publish": "published",
    "in-review": "in_review",
}
EXAMPLE_ACTIONS = {"example": True, "not-example": False}


def workspace_router(
    *,
    db: Database,
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
            theme_titles=dict(theme_rows),
            sites=site_rows,
            next_query=query_of(more) if more else None,
            export_query=query_of({k: v for k, v in chosen.items() if k != "status"}),
            pushed=pushed,
        )

    # --- one item ---------------------------------------------------------------------------

    def show_item(
        request: Request, visitor: Visitor, submission_id: str, status: int = 200, **extra: Any
    ) -> Response:
        return item_page(db, render, request, visitor, submission_id, status, **extra)

    @router.get("/admin/items/{submission_id}")
    async def item(request: Request, submission_id: str) -> Response:
        visitor = await keeper.require(request, Role.VIEWER)
        error = flash.take(request, submission_id)
        page = await run_in_threadpool(show_item, request, visitor, submission_id, error=error)
        if error is not None:
            flash.clear(page)
        return page

    def refused(request: Request, submission_id: str, problem: str) -> Response:
        """Back to the item page with the problem on it (a reload then sends nothing again)."""
        answer = RedirectResponse(f"/admin/items/{submission_id}#error", status_code=303)
        flash.put(answer, request, submission_id, problem)
        return answer

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
        if wanted.get("status") == "rejected" and fields.get("send_reason"):
            wanted["send_reason"] = True  # a ticked checkbox; unticked, the field is absent
        if wanted.get("status") == "rejected" and "note" not in wanted:
            return refused(request, submission_id, "give a reason to reject")
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
            return refused(request, submission_id, problems_of(exc))
        except HTTPException as exc:
            if exc.status_code == 404:
                raise
            return refused(request, submission_id, str(exc.detail))
        return RedirectResponse(f"/admin/items/{submission_id}", status_code=303)

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


def item_page(
    db: Database,
    render: Render,
    request: Request,
    visitor: Visitor,
    submission_id: str,
    status: int = 200,
    *,
    about: str | None = None,
    **extra: Any,
) -> Response:
    """One item's page; `about` names the photo an error or `?saved=` message is about."""
    if not plausible_id(submission_id):
        raise not_found("submission")
    with db.read() as session:
        record = submissions.get(session, submission_id)
        if record is None:
            raise not_found("submission")
        theme = themes.get(session, record.submission.theme) if record.submission.theme else None
        trail = audit.for_target(session, "submission", submission_id)
        reason_push = pushes.state_by_key(session, rejection_key(submission_id))
        for m in record.media:
            trail += audit.for_target(session, "media", m.media.id)
    trail.sort(key=lambda e: (e.at, e.id or 0))
    entries = [entry_of(e) for e in trail]
    history = [
        e for e in entries if e["action"] in ("review", "withdraw") and e["detail"].get("from")
    ]
    numbers = {m.media.id: n for n, m in enumerate(record.media, 1)}
    saved = numbers.get(request.query_params.get("saved") or "") if status == 200 else None
    return render(
        request,
        "item.html",
        visitor,
        status,
        item=card_of(record),
        theme_title=theme.title if theme else None,
        photos=[photo_of(record, m) for m in record.media],
        history=history,
        trail=entries,
        can_review=visitor.reaches(Role.REVIEWER),
        reason_push=reason_push,
        moves={str(m) for m in review.possible_moves(record)},
        about=numbers.get(about or ""),
        saved=saved,
        **extra,
    )
