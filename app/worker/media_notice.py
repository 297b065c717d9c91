"""Telling a worker, once and kindly, that a photo or video of theirs could not be used.

The media job records the failure and enqueues a notice job in the same transaction; the notice
job claims the submission's failed files under a key derived from the media id and queues one
push in the push outbox (its retry key, quiet hours, budget and the worker's notice choice), so a
retried job never makes the message arrive twice; the media rows record when it was queued.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime, timedelta

from sqlmodel import Session

from app.pushes.outbox import queue_push
from app.pushes.policy import PushPolicy
from app.worker.base import JobEnv
from flows.notices import media_notices
from storage import jobs
from storage import media as media_repo
from storage import media_outcomes as outcomes
from storage.jobs import ClaimedJob, JobSpec
from storage.states import MediaStatus
from webhooks.render import render, to_outbox

log = logging.getLogger("genba.media")

_NOTICE_KEYS = uuid.UUID("6a0f1c52-52f8-4c4e-9a8e-3f7e2b1d0c11")
NOTICE_SETTLE = timedelta(seconds=5)
NOTICE_KIND = "media_notice"  # not feedback, reminder or digest: all but "none" get it
TOLD_ABOUT = frozenset({MediaStatus.FAILED.value, MediaStatus.EXPIRED.value})
# A submission the worker took back, or whose draft they dropped, needs no news about its files.
_QUIET_SUBMISSIONS = frozenset({"withdrawn"})


def finish_media(env: JobEnv, media_id: str, status: MediaStatus, reason: str) -> None:
    """Give pending media its final status and reason; a failure queues the sender's notice."""
    now = env.services.clock()
    with env.services.db.write() as session:
        changed = media_repo.mark_status(session, media_id, status, error=reason, now=now)
        if changed and status.value in TOLD_ABOUT:
            max_attempts = env.services.settings.job_max_attempts
            enqueue_notice(session, media_id, now=now, max_attempts=max_attempts)
    log.warning("media %s is %s (%s)", media_id, status, reason)


def enqueue_notice(session: Session, media_id: str, *, now: datetime, max_attempts: int) -> None:
    """Queue the one notice about a failed media item (a second call is a no-op).

    Not while its draft is open: a push in the middle of the questions would become the newest
    message and take the question's buttons away (LINE shows them under the newest only). The
    draft's submission queues it instead (`enqueue_submitted`).
    """
    if outcomes.submission_status(session, media_id) in (None, "draft"):
        return None
    jobs.enqueue(
        session,
        JobSpec(
            kind=jobs.NOTICE,
            payload=json.dumps({"media_id": media_id}),
            dedup_key=f"notice:{media_id}",
            # The other files of an album usually finish within seconds: waiting a little lets
            # one push tell about all that failed, instead of one push per file.
            run_at=now + NOTICE_SETTLE,
        ),
        now=now,
        max_attempts=max_attempts,
    )


def enqueue_submitted(
    session: Session, submission_id: str, *, now: datetime, max_attempts: int
) -> None:
    """Queue the notices about media that failed while the submission was still a draft."""
    for media_id in outcomes.unnoticed_failures(session, submission_id):
        enqueue_notice(session, media_id, now=now, max_attempts=max_attempts)


def handle_notice(job: ClaimedJob, env: JobEnv) -> None:
    """Push one notice about the failed files of a submission, unless sent already or moot."""
    services = env.services
    media_id = str(job.payload["media_id"])
    with services.db.read() as session:
        target = outcomes.notice_target(session, media_id)
    if target is None or target.notice_sent or target.status not in TOLD_ABOUT:
        return None
    if target.submission_status in _QUIET_SUBMISSIONS or not target.following:
        return None  # a blocked account gets nothing (LINE would take the push and drop it)
    key = str(uuid.uuid5(_NOTICE_KEYS, media_id))  # the same for every try of this notice
    minutes = max(1, services.settings.max_video_seconds // 60)
    language = services.catalogue.negotiate(target.language)
    policy = PushPolicy.from_settings(services.settings)
    now = services.clock()
    with services.db.write() as session:
        items = outcomes.claim_notice(session, media_id, key)
        if not items:
            return None  # another notice job claimed this file: that push tells about it
        replies = media_notices([r for _, r in items], code=target.code, max_minutes=minutes)
        messages = to_outbox(render(replies, language=language, catalogue=services.catalogue))
        # Through the push outbox, like every push: its X-Line-Retry-Key, the quiet hours, the
        # monthly budget and the worker's notice choice apply (app/pushes/outbox.py).
        queue_push(
            session,
            kind=NOTICE_KIND,
            recipients=[target.contributor_id],
            messages=messages,
            policy=policy,
            now=now,
            dedup_key=key,
        )
        told = outcomes.mark_notice_sent(session, key, now=now)
    log.info("media %s: the sender is told about %d file(s)", media_id, told)
    return None
