"""The review service: the one place the transition rules are applied, for the API and the pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from fastapi import HTTPException
from sqlmodel import Session

from app.admin.fields import invalid_query, not_found, plausible_id
from app.admin.release import approval_blockers
from app.admin.schemas import ReactionsChange, ReviewChange
from app.pushes.feedback import Feedback, rejection_key
from flows.review import ALLOWED, ReviewDecision, review_move
from flows.types import SubmissionStatus
from storage import pushes, submissions
from storage.db import Database
from storage.models import Submission

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# What became of `send_reason` (app/admin/schemas.py ReviewRead.reason_push says it in words).
ReasonPush = Literal["queued", "already_queued_once", "unchanged", "unavailable"]


@dataclass(frozen=True)
class Reviewed:
    """The submission after a review change, and what became of its `send_reason` (None: not
    asked)."""

    record: submissions.SubmissionRecord
    reason_push: ReasonPush | None = None


def review(
    db: Database,
    submission_id: str,
    change: ReviewChange,
    *,
    actor: str,
    clock: Callable[[], datetime],
    feedback: Feedback | None = None,
) -> Reviewed:
    """Apply a review change by the rules of design.md §7; raises HTTPException 404/409/422.

    Approving or publishing is a 409 while a photo's face check is not done (release.py).
    A move to published queues the contributor's feedback push in the same transaction; so
    does a move to rejected with `send_reason` (the note, in kind words). A rejection taken
    back before its reason went takes the reason with it: it was about a decision undone.
    """
    if not plausible_id(submission_id):
        raise not_found("submission")
    with db.write() as session:
        record = submissions.get(session, submission_id)
        if record is None:
            raise not_found("submission")
        current = SubmissionStatus(record.submission.status)
        if change.example is not None:
            _mark_example(session, record.submission, change.example, actor, clock())
        target = current if change.status is None else SubmissionStatus(change.status)
        decision = review_move(
            current,
            target,
            has_publication=change.platform is not None and change.url is not None,
        )
        if decision is ReviewDecision.UNCHANGED and change.example is None:
            return Reviewed(record, "unchanged" if change.send_reason else None)
        if decision is ReviewDecision.CONFLICT:
            raise HTTPException(409, detail=f"a submission cannot move from {current} to {target}")
        if decision is ReviewDecision.MISSING_PUBLICATION:
            raise HTTPException(422, detail="published needs both platform and url")
        moving = decision is not ReviewDecision.UNCHANGED  # else only the example flag changes
        if moving and target in (SubmissionStatus.APPROVED, SubmissionStatus.PUBLISHED):
            # The face choice, enforced (app/admin/release.py): nothing with an unchecked face
            # is approved or published, whichever page or client asks.
            blockers = approval_blockers(record)
            if blockers:
                raise HTTPException(409, detail=f"cannot be {target} yet: " + "; ".join(blockers))
        now = clock()
        values = _review_values(change, target)
        if moving and target is SubmissionStatus.PUBLISHED:
            values["published_at"] = now
        moved = not moving or submissions.change_review(
            session,
            submission_id,
            expected_status=current,
            values=values,
            actor=actor,
            now=now,
        )
        if not moved:
            raise HTTPException(
                409, detail="the submission changed meanwhile; reload and try again"
            )
        if moving and target is SubmissionStatus.PUBLISHED and feedback is not None:
            session.expire_all()  # the Core update left stale rows in the session
            feedback.published(session, submission_id, now=now)
        if moving and current is SubmissionStatus.REJECTED:
            # Its reason, still waiting (quiet hours, budget), would now tell a worker about a
            # decision undone, or a later rejection's reason in its place: it never goes.
            pushes.drop_unsent(session, rejection_key(submission_id))
        reason_push: ReasonPush | None = None
        if change.send_reason:
            reason_push = "unchanged" if not moving else "unavailable"
        if moving and target is SubmissionStatus.REJECTED and change.send_reason and feedback:
            session.expire_all()  # as above
            queued = feedback.rejected(session, submission_id, now=now)
            reason_push = "queued" if queued is not None else "already_queued_once"
    # A fresh transaction: the write went through Core, so the first session's copy of the
    # row is stale.
    with db.read() as session:
        updated = submissions.get(session, submission_id)
        if updated is None:  # deleted in the instant since the commit
            raise not_found("submission")
        return Reviewed(updated, reason_push)


def possible_moves(record: submissions.SubmissionRecord) -> frozenset[SubmissionStatus]:
    """The statuses `review` would move this submission to now (what the pages offer).

    The same two rules `review` applies: the transition table, and no approving or publishing
    while a photo's face check is not done.
    """
    moves = ALLOWED.get(SubmissionStatus(record.submission.status), frozenset())
    if approval_blockers(record):
        moves = moves - {SubmissionStatus.APPROVED, SubmissionStatus.PUBLISHED}
    return moves


def _mark_example(
    session: Session, submission: Submission, example: bool, actor: str, now: datetime
) -> None:
    if submission.status == SubmissionStatus.WITHDRAWN and example:
        raise HTTPException(409, detail="a withdrawn submission cannot be an example")
    submissions.set_example(session, submission.id, example=example, actor=actor, now=now)


def _review_values(change: ReviewChange, target: SubmissionStatus) -> dict[str, object]:
    if target is not SubmissionStatus.PUBLISHED and (
        change.platform or change.url or change.thanks
    ):
        raise HTTPException(422, detail="platform, url and thanks go only with status published")
    if change.send_reason and target is not SubmissionStatus.REJECTED:
        raise HTTPException(422, detail="send_reason goes only with status rejected")
    if change.send_reason and not (change.note or "").strip():
        raise HTTPException(422, detail="send_reason needs a note: the reason to send")
    values: dict[str, object] = {"status": str(target)}
    if change.note is not None:
        values["review_note"] = change.note
    if target is SubmissionStatus.PUBLISHED:
        values["published_platform"] = change.platform
        values["published_url"] = change.url
        if change.thanks is not None:
            values["thanks_note"] = change.thanks
    return values


def set_reactions(
    db: Database,
    submission_id: str,
    change: ReactionsChange,
    *,
    actor: str,
    clock: Callable[[], datetime],
    feedback: Feedback | None = None,
) -> submissions.SubmissionRecord:
    """Record a published item's reaction count and tell its contributor (404, 409)."""
    if not plausible_id(submission_id):
        raise not_found("submission")
    now = clock()
    with db.write() as session:
        record = submissions.get(session, submission_id)
        if record is None:
            raise not_found("submission")
        if record.submission.status != SubmissionStatus.PUBLISHED:
            raise HTTPException(409, detail="only a published item has reactions")
        if record.submission.reactions != change.count:
            submissions.set_reactions(
                session, submission_id, count=change.count, actor=actor, now=now
            )
            if feedback is not None:
                session.expire_all()  # the Core update left stale rows in the session
                feedback.reacted(session, submission_id, now=now)
    with db.read() as session:
        updated = submissions.get(session, submission_id)
        if updated is None:
            raise not_found("submission")
        return updated


def list_page(
    db: Database, wanted: submissions.SubmissionFilter, *, limit: int, cursor: str | None
) -> tuple[list[submissions.SubmissionRecord], str | None]:
    """One page of the list, the limit capped at MAX_LIMIT; a foreign cursor is a 422."""
    if cursor is not None:
        check_cursor(cursor)
    with db.read() as session:
        return submissions.list_page(
            session, wanted, limit=max(1, min(limit, MAX_LIMIT)), cursor=cursor
        )


def check_cursor(cursor: str) -> None:
    """Raise a 422 for a cursor this service did not make."""
    # list_page decodes the cursor too; checking here first turns every bad cursor into a 422
    # and keeps hostile bytes (NUL, far-off years) away from the database.
    try:
        moment, ident = submissions.decode_cursor(cursor)
        moment.astimezone(UTC)
    except (submissions.BadCursor, OverflowError) as exc:
        raise invalid_query("cursor", "invalid cursor") from exc
    if not plausible_id(ident):
        raise invalid_query("cursor", "invalid cursor")
