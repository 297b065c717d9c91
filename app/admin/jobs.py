"""`/jobs`: the background queue for operators — list, and retry a dead job."""

# No `from __future__ import annotations`: see app/admin/submissions.py.

import base64
import binascii
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlmodel import Session

from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.fields import invalid_query, not_found
from app.admin.schemas import ErrorRead, JobPage, JobRead, job_read
from storage import audit, inbox, jobs, media
from storage.db import Database
from storage.states import JobState

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Job ids are BIGINT; more digits than that cannot name a job (and would overflow the column).
JOB_ID = re.compile(r"^[0-9]{1,18}$", re.ASCII)
CURSOR = re.compile(r"^job:([0-9]{1,18})$", re.ASCII)

LIST_DESCRIPTION = f"""\
Newest first (by id), optionally in one `state`. `limit` defaults to {DEFAULT_LIMIT}; over
{MAX_LIMIT} is clamped to {MAX_LIMIT}; below 1 is a 422. `cursor` is the previous page's
`next_cursor`; one this API did not make is a 422.
"""


RETRY_DESCRIPTION = """\
A dead job goes back to the queue with fresh attempts, as `new`, behind every job of its user
stored so far. It takes a new id for that (the queue runs one user's jobs in id order): the
answer is the job under its new id. Retrying the old id again answers 409 naming the new one.
"""


def encode_cursor(job_id: int) -> str:
    """An opaque cursor pointing after this job."""
    return base64.urlsafe_b64encode(f"job:{job_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The job id a cursor points after (raises ValueError)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("invalid cursor") from exc
    found = CURSOR.match(raw)
    if found is None:
        raise ValueError("invalid cursor")
    return int(found.group(1))


def _retried_as(session: Session, job_id: str) -> str | None:
    """The id a retry gave this job, or None if it was never retried."""
    for entry in reversed(audit.for_target(session, "job", job_id)):
        if entry.action == "retry_job":
            new_id = json.loads(entry.detail).get("new_id")
            return None if new_id is None else str(new_id)
    return None


def job_routes(*, db: Database, guards: Guards, clock: Callable[[], datetime]) -> APIRouter:
    """The job routes."""
    router = APIRouter(route_class=GuardedRoute, tags=["jobs"])
    Admin = Annotated[Caller, Depends(guards.admin)]

    @router.get("/jobs", description=LIST_DESCRIPTION)
    def list_jobs(
        _caller: Admin,
        state: Annotated[JobState | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, description=f"1…; over {MAX_LIMIT} is clamped")] = (
            DEFAULT_LIMIT
        ),
        cursor: Annotated[str | None, Query(max_length=100)] = None,
    ) -> JobPage:
        """List background jobs, newest first, optionally in one state."""
        before: int | None = None
        if cursor is not None:
            try:
                before = decode_cursor(cursor)
            except ValueError as exc:
                raise invalid_query("cursor", "invalid cursor") from exc
        size = min(limit, MAX_LIMIT)
        with db.read() as session:
            found = jobs.list_jobs(
                session,
                state=None if state is None else state.value,
                limit=size + 1,
                before_id=before,
            )
        page = found[:size]
        next_cursor = None
        if len(found) > size:
            last = page[-1].id
            next_cursor = None if last is None else encode_cursor(last)
        return JobPage(items=[job_read(j) for j in page], next_cursor=next_cursor)

    @router.post(
        "/jobs/{job_id}/retry",
        description=RETRY_DESCRIPTION,
        responses={
            404: {"model": ErrorRead, "description": "No such job"},
            409: {"model": ErrorRead, "description": "The job is not dead (or was retried)"},
        },
    )
    def retry_job(caller: Admin, job_id: str) -> JobRead:
        """Put a dead job back in the queue with fresh attempts, under a new id."""
        if not JOB_ID.match(job_id):
            raise not_found("job")  # ids are opaque strings: a non-number is just unknown
        ident = int(job_id)
        now = clock()
        with db.write() as session:
            # Retry first: loading the row before the UPDATE would leave a stale copy in the
            # session, and the answer would show the job still dead.
            job = jobs.retry(session, ident, now=now)
            if job is None:
                if jobs.get(session, ident) is not None:
                    raise HTTPException(409, detail="only a dead job can be retried")
                moved = _retried_as(session, job_id)
                if moved is None:
                    raise not_found("job")
                raise HTTPException(409, detail=f"already retried: it is job {moved} now")
            # Undo what giving up recorded, so the job does its work again.
            payload = json.loads(job.payload)
            if job.kind == jobs.EVENT:  # the job's unhandled events were marked failed
                inbox.reopen(session, inbox.event_ids(payload))
            elif job.kind == jobs.MEDIA and "media_id" in payload:  # the photo was marked failed
                media.reopen(session, str(payload["media_id"]), now=now)
            audit.record(
                session,
                actor=caller.name,
                action="retry_job",
                target_type="job",
                target_id=job_id,
                detail={"kind": job.kind, "token_id": caller.token_id, "new_id": str(job.id)},
                now=now,
            )
            return job_read(job)

    return router
