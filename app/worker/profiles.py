"""Contributor records and their LINE profiles (display name, language).

The profile is asked for once, when a worker first writes, with a short timeout; if LINE does
not answer, the conversation goes on without it and a profile job tries again with backoff.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from app.worker.base import JobEnv, RetryLater
from storage import contributors, jobs
from storage.jobs import ClaimedJob, JobSpec
from storage.models import Contributor
from webhooks.line_api import LineApiError
from webhooks.privacy import user_ref

log = logging.getLogger("genba.profile")


def ensure_contributor(env: JobEnv, line_user_id: str) -> Contributor:
    """The contributor for a LINE user; on first contact, created with their LINE profile."""
    services = env.services
    with services.db.read() as session:
        known = contributors.by_line_user(session, line_user_id)
    if known is not None:
        return known  # profile known, or a profile job is trying again in the background
    now = services.clock()
    with services.db.write() as session:
        contributor, created = contributors.ensure(session, line_user_id, now=now)
        if created:
            # Queued with the new row, so a crash before the profile call loses nothing; when
            # the call below succeeds, this job finds the profile there and stops.
            jobs.enqueue(
                session,
                JobSpec(
                    kind=jobs.PROFILE,
                    payload=json.dumps({"contributor_id": contributor.id}),
                    dedup_key=f"profile:{contributor.id}",
                    run_at=now + timedelta(seconds=services.settings.job_backoff_base_seconds),
                ),
                now=now,
                max_attempts=services.settings.job_max_attempts,
            )
    if not created:
        return contributor
    try:
        return _fetch(env, contributor)
    except LineApiError as exc:
        log.warning("profile of %s not available yet (%s); will retry", user_ref(line_user_id), exc)
        return contributor


def _fetch(env: JobEnv, contributor: Contributor) -> Contributor:
    services = env.services
    assert services.line is not None, "the worker needs a LINE client"
    profile = services.line.profile(contributor.line_user_id)
    now = services.clock()
    with services.db.write() as session:
        contributors.set_profile(
            session,
            contributor.id,
            display_name=profile.display_name if profile else None,
            language=profile.language if profile else None,
            now=now,
        )
        refreshed = contributors.by_line_user(session, contributor.line_user_id)
    assert refreshed is not None
    return refreshed


def handle_profile(job: ClaimedJob, env: JobEnv) -> None:
    """Try the profile again for a contributor whose first try failed."""
    with env.services.db.read() as session:
        found = session.get(Contributor, str(job.payload["contributor_id"]))
    if found is None or found.profile_checked_at is not None:
        return None
    try:
        _fetch(env, found)
    except LineApiError as exc:
        if exc.retryable:
            raise RetryLater(str(exc)) from None
        log.warning("profile of %s refused by LINE: %s", user_ref(found.line_user_id), exc)
    return None
