"""`/pushes`, `/reminders`, `/digests`, `/stats`: the push budget, campaigns and the numbers."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.fields import Rfc3339
from app.pushes import campaigns
from app.pushes.feedback import Feedback
from app.pushes.status import budget, next_digest, recent_campaigns
from app.stats import numbers
from storage.db import Database


class ReminderOrder(BaseModel):
    """When the reminder goes: `at` (RFC 3339), or now; quiet hours move it later."""

    model_config = ConfigDict(extra="forbid")
    at: Rfc3339 | None = None


class DigestOrder(BaseModel):
    """Which month's digest to send, 'YYYY-MM'."""

    model_config = ConfigDict(extra="forbid")
    month: str = Field(max_length=7)

    @field_validator("month")
    @classmethod
    def _month(cls, value: str) -> str:
        if not campaigns.valid_month(value):
            raise ValueError("must be YYYY-MM")
        return value


def outreach_routes(
    *, db: Database, guards: Guards, clock: Callable[[], datetime], feedback: Feedback
) -> APIRouter:
    """The push, campaign and stats routes."""
    router = APIRouter(route_class=GuardedRoute, tags=["outreach"])
    Viewer = Annotated[Caller, Depends(guards.viewer)]
    Admin = Annotated[Caller, Depends(guards.admin)]
    catalogue, policy = feedback.catalogue, feedback.policy

    @router.get("/pushes/budget")
    def push_budget(_caller: Viewer) -> dict[str, object]:
        """This month's pushes against the monthly budget (messages counted per recipient)."""
        return asdict(budget(db, policy, now=clock()))

    @router.get("/campaigns")
    def recent(_caller: Viewer) -> dict[str, object]:
        """The latest reminders and digests and how they ended (failed: with LINE's reason),
        and when the digest goes by itself next (null: GENBA_DIGEST_DAY is 0)."""
        upcoming = next_digest(db, policy, now=clock())
        return {
            "recent": recent_campaigns(db),
            "next_digest": None if upcoming is None else asdict(upcoming),
        }

    @router.get("/reminders/preview")
    def reminder_preview(_caller: Viewer) -> dict[str, object]:
        """Who a reminder sent now would reach: a count, batches of ≤ 500, masked ids."""
        return asdict(campaigns.preview(db, catalogue))

    @router.post("/reminders", status_code=202)
    def schedule_reminder(
        caller: Admin, order: Annotated[ReminderOrder, Body()]
    ) -> dict[str, object]:
        """Schedule the gentle reminder (one a day at most); 409 when nobody or already."""
        try:
            done = campaigns.schedule_reminder(
                db, catalogue=catalogue, policy=policy, at=order.at, actor=caller.name, now=clock()
            )
        except campaigns.NothingToSend as exc:
            raise HTTPException(409, detail=str(exc)) from None
        return asdict(done)

    @router.post("/digests", status_code=202)
    def schedule_digest(caller: Admin, order: Annotated[DigestOrder, Body()]) -> dict[str, object]:
        """Send "what we posted in this month" to workers who want it (once per month)."""
        try:
            done = campaigns.schedule_digest(
                db,
                catalogue=catalogue,
                policy=policy,
                month=order.month,
                actor=caller.name,
                now=clock(),
                links=feedback.links,
            )
        except campaigns.NothingToSend as exc:
            raise HTTPException(409, detail=str(exc)) from None
        return asdict(done)

    @router.get("/stats")
    def stats_json(
        _caller: Viewer,
        weeks: Annotated[int, Query(ge=1, le=numbers.MAX_WEEKS)] = numbers.DEFAULT_WEEKS,
    ) -> dict[str, object]:
        """Submissions per week by theme, face choices, outcomes, review time, contributors."""
        return numbers.compute(db, zone=policy.zone, now=clock(), weeks=weeks).as_json()

    @router.get("/stats.csv", response_class=Response)
    def stats_csv(
        _caller: Viewer,
        weeks: Annotated[int, Query(ge=1, le=numbers.MAX_WEEKS)] = numbers.DEFAULT_WEEKS,
    ) -> Response:
        """The same numbers as CSV (section, key, week, value)."""
        found = numbers.compute(db, zone=policy.zone, now=clock(), weeks=weeks)
        return Response(
            numbers.as_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="genba-stats.csv"'},
        )

    return router
