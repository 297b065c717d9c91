"""Which handler runs which kind of job."""

from __future__ import annotations

from datetime import timedelta

from app.services import Services
from app.worker.conversation import give_up_event, handle_event
from app.worker.media_jobs import give_up_media, handle_media, handle_purge, sweep_scratch
from app.worker.profiles import handle_profile
from app.worker.replies import give_up_reply, handle_reply
from app.worker.runner import Worker
from storage import jobs


def build_worker(services: Services, *, name: str | None = None) -> Worker:
    """A worker wired with every job kind's handler."""
    # Scratch folders older than two leases belong to no live job: a crash left them.
    lease = timedelta(seconds=services.settings.job_lease_seconds)
    return Worker(
        services,
        {
            jobs.EVENT: handle_event,
            jobs.REPLY: handle_reply,
            jobs.PROFILE: handle_profile,
            jobs.MEDIA: handle_media,
            jobs.PURGE: handle_purge,
        },
        give_up={jobs.EVENT: give_up_event, jobs.MEDIA: give_up_media, jobs.REPLY: give_up_reply},
        name=name,
        on_start=lambda: sweep_scratch(services, older_than=2 * lease),
    )
