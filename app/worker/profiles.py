"""Contributor records and their LINE profiles (display name, language).

The profile is asked for when a worker first writes, with a short timeout; if LINE does not
answer, the conversation goes on without it and a profile job tries again later with backoff.
"""

from __future__ import annotations

import json
import logging

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
    now = services.clock()
    with services.db.write() as session:
        contributor = contributors.ensure(session, line_user_id, now=now)
    if contributor.profile_checked_at is not None:
        return contributor
    try:
        fetched = _fetch(env, contributor)
    except LineApiError as exc:
        log.warning("profile of %s not available yet (%s); will retry", user_ref(line_user_id), exc)
        with services.db.write() as session:
            jobs.enqueue(
                session,
                JobSpec(
                    kind=jobs.PROFILE,
                    payload=json.dumps({"contributor_id": contributor.id}),
                    dedup_key=f"profile:{contributor.id}",
                ),
                now=now,
                max_attempts=services.settings.job_max_attempts,
            )
        services.doorbell.ring()
        return contributor
    return fetched


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


def handle_profile(job: ClaimedJob, env: JobEnv) -> int | None:
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
