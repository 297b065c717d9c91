"""`/submissions`: the filtered list, one submission, and the review PATCH."""

# No `from __future__ import annotations`: the route signatures use aliases local to the
# builder function, which FastAPI could not resolve from strings.

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query

from app.admin import review
from app.admin.auth import Caller, GuardedRoute, Guards
from app.admin.fields import (
    FaceFilter,
    ListedStatus,
    Rfc3339,
    SafeText,
    not_found,
    plausible_id,
)
from app.admin.schemas import (
    ErrorRead,
    ReactionsChange,
    ReviewChange,
    ReviewRead,
    SubmissionPage,
    SubmissionRead,
    submission_read,
)
from app.pushes.feedback import Feedback
from storage import submissions
from storage.db import Database

DEFAULT_LIMIT = review.DEFAULT_LIMIT
MAX_LIMIT = review.MAX_LIMIT
MAX_Q_CHARS = 200
MAX_CURSOR_CHARS = 200

LIST_DESCRIPTION = f"""\
Newest first: by `created_at`, then `id`, both descending. Drafts are never listed.

- `limit` defaults to {DEFAULT_LIMIT}; a value over {MAX_LIMIT} is **clamped** to {MAX_LIMIT}
  (not refused); below 1 is a 422.
- `since ≤ created_at < until`, both RFC 3339 with a zone (`Z` or an offset); a time without a
  zone is a 422.
- `q` matches the comment or the code, case-insensitively, as literal text (`%` and `_` are
  not wildcards); at most {MAX_Q_CHARS} characters.
- `face=none` selects comment-only submissions.
- `site` is a site id (`/sites`): the worker's site when they sent the submission.
- `cursor` is the `next_cursor` of the previous page, opaque; a cursor this API did not make is
  a **422**. Paging is keyset-based, so submissions arriving while a client pages neither
  repeat nor shift items on later pages.
"""

PATCH_DESCRIPTION = """\
Allowed moves: new → in_review | approved | rejected; in_review → approved | rejected;
approved → published | rejected; rejected → in_review. The same status again (or no `status`)
answers 200 and changes nothing, the note included. Any other move, and `withdrawn` or `draft`,
is a 409, as is a submission someone else moved meanwhile. `published` needs `platform` and
`url` (else 422); `platform`/`url` with a move to any other status is a 422. Unknown fields are
a 422. Each change is written to the audit log with the token's name. A move to `published`
pushes the contributor "your photo was used" with the link and the optional `thanks` note.
A move to `rejected` with `"send_reason": true` pushes the `note` to the contributor in kind
words in their language (once per item; without it, or false, nothing is sent); the answer's
`reason_push` says whether it was queued. A rejection taken back (`in_review`) before its
reason went takes the reason with it: it is never sent, and the next rejection may send its own.

Approving or publishing is a **409** while any photo's face check is not done (a `blur` photo,
or a `no_face` photo with faces found, whose blur no reviewer confirmed or uploaded); the detail
names each photo, as the submission's `approval_blockers` does (docs/faces.md).
"""

CONFLICT = {"model": ErrorRead, "description": "Move not allowed, or the status changed"}
NOT_FOUND = {"model": ErrorRead, "description": "Unknown id, or a draft"}


def submission_routes(
    *,
    db: Database,
    guards: Guards,
    clock: Callable[[], datetime],
    feedback: Feedback | None = None,
) -> APIRouter:
    """The submission routes."""
    router = APIRouter(route_class=GuardedRoute, tags=["submissions"])
    Viewer = Annotated[Caller, Depends(guards.viewer)]
    Reviewer = Annotated[Caller, Depends(guards.reviewer)]

    @router.get("/submissions", description=LIST_DESCRIPTION)
    def list_submissions(
        _caller: Viewer,
        status: Annotated[ListedStatus | None, Query()] = None,
        theme: Annotated[SafeText | None, Query(max_length=40)] = None,
        face: Annotated[FaceFilter | None, Query()] = None,
        since: Annotated[Rfc3339 | None, Query(description="created_at ≥ since")] = None,
        until: Annotated[Rfc3339 | None, Query(description="created_at < until")] = None,
        q: Annotated[SafeText | None, Query(max_length=MAX_Q_CHARS)] = None,
        site: Annotated[SafeText | None, Query(max_length=32, description="site id")] = None,
        needs_check: Annotated[
            bool,
            Query(description="Only submissions with a photo whose face check is not done"),
        ] = False,
        limit: Annotated[int, Query(ge=1, description=f"1…; over {MAX_LIMIT} is clamped")] = (
            DEFAULT_LIMIT
        ),
        cursor: Annotated[str | None, Query(max_length=MAX_CURSOR_CHARS)] = None,
    ) -> SubmissionPage:
        """List submissions, newest first, with filters and cursor paging."""
        wanted = submissions.SubmissionFilter(
            needs_check=needs_check,
            status=status,
            theme=theme,
            face=face,
            since=since,
            until=until,
            q=q or None,
            site=site,
        )
        records, next_cursor = review.list_page(db, wanted, limit=limit, cursor=cursor)
        items = [submission_read(r) for r in records]
        return SubmissionPage(items=items, next_cursor=next_cursor)

    @router.get("/submissions/{submission_id}", responses={404: NOT_FOUND})
    def get_submission(_caller: Viewer, submission_id: str) -> SubmissionRead:
        """One submission with its media and contributor."""
        if not plausible_id(submission_id):
            raise not_found("submission")
        with db.read() as session:
            record = submissions.get(session, submission_id)
            if record is None:
                raise not_found("submission")
            return submission_read(record)

    @router.patch(
        "/submissions/{submission_id}",
        description=PATCH_DESCRIPTION,
        responses={404: NOT_FOUND, 409: CONFLICT},
    )
    def review_submission(
        caller: Reviewer, submission_id: str, change: Annotated[ReviewChange, Body()]
    ) -> ReviewRead:
        """Move a submission through review: approve, reject, publish, with a note."""
        done = review.review(
            db, submission_id, change, actor=caller.name, clock=clock, feedback=feedback
        )
        return ReviewRead.model_validate(
            {**submission_read(done.record).model_dump(), "reason_push": done.reason_push}
        )

    @router.put("/submissions/{submission_id}/reactions", responses={404: NOT_FOUND, 409: CONFLICT})
    def set_reactions(
        caller: Reviewer, submission_id: str, change: Annotated[ReactionsChange, Body()]
    ) -> SubmissionRead:
        """Record the reaction count of a published item; its contributor is told once."""
        return submission_read(
            review.set_reactions(
                db, submission_id, change, actor=caller.name, clock=clock, feedback=feedback
            )
        )

    return router
