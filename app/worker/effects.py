"""Carrying out a step's effects in the step's own transaction (design.md §5)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import assert_never

from sqlmodel import Session

from app.worker.media_notice import enqueue_submitted
from flows.types import (
    AgreeGuideline,
    AskedGuideline,
    AttachPhoto,
    ChangeFace,
    CheckBatchLater,
    DiscardDraft,
    Effect,
    MovePhotos,
    SetComment,
    SetCredit,
    SetFace,
    SetFollowing,
    SetLanguage,
    SetNotices,
    SetSite,
    SetTheme,
    StartDraft,
    SubmitDraft,
    WithdrawPhoto,
    WithdrawSubmission,
)
from storage import contributors, credits, drafts, guideline, jobs, pushes, sites
from storage.jobs import JobSpec


def apply_effects(
    session: Session,
    effects: Sequence[Effect],
    *,
    contributor_id: str,
    now: datetime,
    max_attempts: int,
) -> int:
    """Apply every effect in order; enqueue media and purge jobs; return how many jobs."""
    specs: list[JobSpec] = []
    purge: list[str] = []
    owner = contributor_id
    for effect in effects:
        match effect:
            case StartDraft(draft_id=draft_id, code=code, kind=kind):
                drafts.start(
                    session,
                    draft_id=draft_id,
                    code=code,
                    kind=kind.value,
                    contributor_id=owner,
                    now=now,
                )
            case AttachPhoto(draft_id=draft_id, message_id=mid, image_set_id=set_id, index=i):
                media_id = drafts.attach_photo(
                    session,
                    draft_id=draft_id,
                    message_id=mid,
                    image_set_id=set_id,
                    index=i,
                    contributor_id=owner,
                    now=now,
                    kind="video" if effect.video else "image",
                )
                if media_id is not None:
                    specs.append(
                        JobSpec(
                            kind=jobs.MEDIA,
                            payload=json.dumps({"media_id": media_id}),
                            dedup_key=f"media:{media_id}",
                        )
                    )
            case MovePhotos(message_ids=mids, to_draft_id=to):
                drafts.move_photos(
                    session, message_ids=mids, to_draft_id=to, contributor_id=owner, now=now
                )
            case SetTheme(draft_id=draft_id, slug=slug):
                drafts.set_theme(
                    session, draft_id=draft_id, slug=slug, contributor_id=owner, now=now
                )
            case SetFace(draft_id=draft_id, face=face):
                drafts.set_face(
                    session, draft_id=draft_id, face=face.value, contributor_id=owner, now=now
                )
            case SetComment(draft_id=draft_id, comment=comment):
                drafts.set_comment(
                    session, draft_id=draft_id, comment=comment, contributor_id=owner, now=now
                )
            case SubmitDraft(draft_id=draft_id):
                drafts.submit(session, draft_id=draft_id, contributor_id=owner, now=now)
                # The worker has moved on: tell them now about files that failed meanwhile.
                enqueue_submitted(session, draft_id, now=now, max_attempts=max_attempts)
            case DiscardDraft(draft_id=draft_id):
                purge += drafts.discard(session, draft_id=draft_id, contributor_id=contributor_id)
            case WithdrawSubmission(submission_id=sid):
                purge += drafts.withdraw(session, submission_id=sid, contributor_id=owner, now=now)
            case ChangeFace(submission_id=sid, face=face, was=was, status=status):
                drafts.change_face(
                    session,
                    submission_id=sid,
                    contributor_id=owner,
                    face=face.value,
                    was=was.value,
                    status=status.value,
                    now=now,
                )
            case SetSite(site_id=site_id):
                sites.set_worker_site(session, owner, site_id=site_id, now=now)
            case SetLanguage(language=language):
                contributors.set_language(session, owner, language=language, now=now)
            case WithdrawPhoto(message_id=mid):
                purge += drafts.withdraw_photo(
                    session, message_id=mid, contributor_id=owner, now=now
                )
            case SetFollowing(following=following):
                contributors.set_following(session, contributor_id, following=following, now=now)
            case SetNotices(choice=choice):
                pushes.set_notices(session, contributor_id, choice, now=now)
            case SetCredit(choice=choice):
                credits.set_credit(session, owner, choice, now=now)
            case CheckBatchLater():
                # Scheduled by the conversation job (app/worker/conversation.py), which knows
                # the event row the delayed check belongs to.
                pass
            case AgreeGuideline(version=agreed):
                guideline.agree(session, owner, agreed=agreed, now=now)
            case AskedGuideline(version=asked):
                guideline.asked(session, owner, asked_version=asked)
            case _:
                # A new kind of effect must be carried out here: mypy fails until it is.
                assert_never(effect)
    if purge:
        specs.append(JobSpec(kind=jobs.PURGE, payload=drafts.purge_payload(purge)))
    jobs.enqueue_many(session, specs, now=now, max_attempts=max_attempts)
    return len(specs)
