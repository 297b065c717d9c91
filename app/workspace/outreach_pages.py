"""The /admin pages for reminders, the monthly digest, reactions and the stats with charts.

The rules live in the services the admin API calls (app/pushes/, app/stats/, app/admin/review.py);
these functions read forms and render templates.
"""

# No `from __future__ import annotations`: FastAPI resolves the route signatures.

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.admin import review
from app.admin.auth import Role
from app.admin.fields import not_found, plausible_id
from app.admin.schemas import ReactionsChange
from app.pushes import campaigns
from app.pushes.feedback import Feedback
from app.pushes.status import budget, next_digest, recent_campaigns
from app.stats import charts, numbers
from app.workspace import labels
from app.workspace.rendering import render_page
from app.workspace.sessions import SessionKeeper, Visitor, form_fields
from storage import themes
from storage.db import Database


def outreach_router(
    *,
    db: Database,
    clock: Callable[[], datetime],
    keeper: SessionKeeper,
    templates: Jinja2Templates,
    feedback: Feedback,
) -> APIRouter:
    """The reminder, digest, reactions and stats pages."""
    router = APIRouter(include_in_schema=False)
    catalogue, policy = feedback.catalogue, feedback.policy

    # --- stats ------------------------------------------------------------------------------

    def weeks_of(request: Request) -> int:
        raw = request.query_params.get("weeks", "")
        return int(raw) if raw.isdigit() and len(raw) < 4 else numbers.DEFAULT_WEEKS

    def theme_titles() -> dict[str, str]:
        with db.read() as session:
            return {t.slug: t.title for t in themes.list_all(session)}

    @router.get("/admin/stats")
    async def stats_page(request: Request) -> Response:
        visitor = await keeper.require(request, Role.VIEWER)
        found = await run_in_threadpool(
            numbers.compute, db, zone=policy.zone, now=clock(), weeks=weeks_of(request)
        )
        titles = await run_in_threadpool(theme_titles)
        by_title: dict[str, list[int]] = {}
        for slug, counts in found.by_theme.items():
            title = titles.get(slug, slug)
            by_title[slug if title in by_title else title] = counts  # two themes, one title
        return render_page(
            templates,
            request,
            "stats.html",
            visitor,
            stats=found,
            titles=titles,
            theme_chart=charts.stacked_weeks(
                "Submissions per week by theme", found.weeks, by_title
            ),
            site_chart=charts.stacked_weeks(
                "Submissions per week by site", found.weeks, found.by_site
            ),
            active_chart=charts.stacked_weeks(
                "Active contributors per week", found.weeks, {"people": found.active_contributors}
            ),
            face_chart=charts.bars(
                "Face choices", {labels.face_label(k): v for k, v in found.faces.items()}
            ),
            outcome_chart=charts.bars(
                "Review outcomes", {labels.status_label(k): v for k, v in found.outcomes.items()}
            ),
        )

    @router.get("/admin/stats.csv")
    async def stats_csv(request: Request) -> Response:
        await keeper.require(request, Role.VIEWER)
        found = await run_in_threadpool(
            numbers.compute, db, zone=policy.zone, now=clock(), weeks=weeks_of(request)
        )
        return Response(
            numbers.as_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": 'attachment; filename="genba-stats.csv"',
                "Cache-Control": "no-store",
            },
        )

    # --- reminders and the digest ---------------------------------------------------------

    def reminders_page(
        request: Request, visitor: Visitor, status: int = 200, **extra: Any
    ) -> Response:
        now = clock()
        month = request.query_params.get("month") or policy.month_of(now)
        if not campaigns.valid_month(month):
            month = policy.month_of(now)
        with db.read() as session:
            posts = campaigns.posted(session, policy, month)
        return render_page(
            templates,
            request,
            "reminders.html",
            visitor,
            status,
            pushed=budget(db, policy, now=now),
            preview=campaigns.preview(db, catalogue),
            month=month,
            posts=posts,
            sent=recent_campaigns(db),
            automatic=next_digest(db, policy, now=now),
            pictures_in_line=feedback.links is not None and feedback.links.reach_line,
            quiet=policy.quiet,
            zone=str(policy.zone),
            tz=policy.zone,
            can_send=visitor.reaches(Role.ADMIN),
            **extra,
        )

    @router.get("/admin/reminders")
    async def reminders(request: Request) -> Response:
        visitor = await keeper.require(request, Role.VIEWER)
        return await run_in_threadpool(reminders_page, request, visitor)

    @router.post("/admin/reminders")
    async def schedule_reminder(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        at = None
        if fields.get("at", "").strip():
            try:
                at = datetime.fromisoformat(fields["at"].strip()[:16]).replace(tzinfo=policy.zone)
            except ValueError:
                return await run_in_threadpool(
                    reminders_page, request, visitor, 422, error="the time is not a time"
                )
        try:
            done = await run_in_threadpool(
                lambda: campaigns.schedule_reminder(
                    db, catalogue=catalogue, policy=policy, at=at, actor=visitor.email, now=clock()
                )
            )
        except campaigns.NothingToSend as exc:
            return await run_in_threadpool(reminders_page, request, visitor, 409, error=str(exc))
        return await run_in_threadpool(reminders_page, request, visitor, 200, scheduled=done)

    @router.post("/admin/digests")
    async def schedule_digest(request: Request) -> Response:
        visitor = await keeper.require(request, Role.ADMIN)
        fields = await form_fields(request, visitor.csrf_token)
        month = fields.get("month", "").strip()
        if not campaigns.valid_month(month):
            return await run_in_threadpool(
                reminders_page, request, visitor, 422, error="choose a month (YYYY-MM)"
            )
        try:
            done = await run_in_threadpool(
                lambda: campaigns.schedule_digest(
                    db,
                    catalogue=catalogue,
                    policy=policy,
                    month=month,
                    actor=visitor.email,
                    now=clock(),
                    links=feedback.links,
                )
            )
        except campaigns.NothingToSend as exc:
            return await run_in_threadpool(reminders_page, request, visitor, 409, error=str(exc))
        return await run_in_threadpool(reminders_page, request, visitor, 200, scheduled=done)

    # --- reactions --------------------------------------------------------------------------

    @router.post("/admin/items/{submission_id}/reactions")
    async def reactions(request: Request, submission_id: str) -> Response:
        visitor = await keeper.require(request, Role.REVIEWER)
        fields = await form_fields(request, visitor.csrf_token)
        if not plausible_id(submission_id):
            raise not_found("submission")
        raw = fields.get("count", "").strip()
        try:
            change = ReactionsChange.model_validate({"count": int(raw) if raw.isdigit() else -1})
        except ValidationError:
            raise HTTPException(422, detail="the reaction count is a whole number") from None
        await run_in_threadpool(
            lambda: review.set_reactions(
                db, submission_id, change, actor=visitor.email, clock=clock, feedback=feedback
            )
        )
        return RedirectResponse(f"/admin/items/{submission_id}", status_code=303)

    return router
